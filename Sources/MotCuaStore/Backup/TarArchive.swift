import Foundation

/// The backup's container: a POSIX ustar archive (`tar -tf` lists it, `tar -xf` unpacks it),
/// written and read as a stream, one regular file after another. Names stay under 100 bytes
/// (`blobs/ab/<sha256>` is 73), so the plain header is enough.
public struct TarWriter {
    let handle: FileHandle

    public init(handle: FileHandle) {
        self.handle = handle
    }

    /// Appends `name` with the contents of the file at `source`, copied in 1 MiB reads;
    /// `copied` hears the bytes as they go.
    public func add(_ name: String, from source: URL, mode: Int = 0o600, copied: (Int) -> Void = { _ in }) throws {
        let size = try FileManager.default.attributesOfItem(atPath: source.path)[.size] as? Int ?? 0
        handle.write(try Self.header(name: name, size: size, mode: mode))
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        var written = 0
        while written < size, let chunk = try input.read(upToCount: min(1 << 20, size - written)), !chunk.isEmpty {
            handle.write(chunk)
            written += chunk.count
            copied(chunk.count)
        }
        guard written == size else { throw TarError.shortRead(name) }
        handle.write(Data(count: Self.padding(size)))
    }

    public func add(_ name: String, data: Data, mode: Int = 0o600) throws {
        handle.write(try Self.header(name: name, size: data.count, mode: mode))
        handle.write(data)
        handle.write(Data(count: Self.padding(data.count)))
    }

    /// The two empty blocks that end an archive.
    public func finish() throws {
        handle.write(Data(count: 1024))
        try handle.synchronize()
    }

    static func padding(_ size: Int) -> Int { (512 - size % 512) % 512 }

    static func header(name: String, size: Int, mode: Int) throws -> Data {
        let nameBytes = Array(name.utf8)
        guard nameBytes.count < 100 else { throw TarError.nameTooLong(name) }
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(Int(Date().timeIntervalSince1970), width: 12), at: 136)
        put("        ", at: 148)
        block[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7), at: 148)
        block[155] = 0x20
        return Data(block)
    }
}

/// Reads a ustar archive written by `TarWriter`, entry by entry.
public struct TarReader {
    let handle: FileHandle

    public init(handle: FileHandle) {
        self.handle = handle
    }

    /// The next entry's name and size, or nil at the end; its contents must be read (or
    /// skipped) with `copy` before asking for the next.
    public func next() throws -> (name: String, size: Int)? {
        guard let block = try handle.read(upToCount: 512), block.count == 512 else { return nil }
        let bytes = [UInt8](block)
        if bytes.allSatisfy({ $0 == 0 }) { return nil }
        let stored = bytes[148..<156].prefix { $0 != 0 && $0 != 0x20 }
        var blank = bytes
        for index in 148..<156 { blank[index] = 0x20 }
        guard let checksum = Int(String(decoding: stored, as: UTF8.self), radix: 8), checksum == blank.reduce(0, { $0 + Int($1) }) else {
            throw TarError.corrupt("mã kiểm tra của một phần đầu không khớp")
        }
        guard bytes[156] == UInt8(ascii: "0") || bytes[156] == 0 else { throw TarError.corrupt("có mục không phải tệp thường") }
        let name = String(decoding: bytes[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        let sizeText = String(decoding: bytes[124..<136].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        guard let size = Int(sizeText, radix: 8), !name.isEmpty else { throw TarError.corrupt("có mục không có tên hoặc kích thước") }
        return (name, size)
    }

    /// Writes the current entry's `size` bytes to `output` (and skips its padding);
    /// `copied` hears the bytes as they go.
    public func copy(size: Int, to output: FileHandle, copied: (Data) -> Void = { _ in }) throws {
        var left = size
        while left > 0 {
            guard let chunk = try handle.read(upToCount: min(1 << 20, left)), !chunk.isEmpty else { throw TarError.corrupt("tệp kết thúc giữa chừng một mục") }
            output.write(chunk)
            copied(chunk)
            left -= chunk.count
        }
        let pad = TarWriter.padding(size)
        if pad > 0 { _ = try handle.read(upToCount: pad) }
    }

    public func read(size: Int) throws -> Data {
        var data = Data()
        var left = size
        while left > 0 {
            guard let chunk = try handle.read(upToCount: left), !chunk.isEmpty else { throw TarError.corrupt("tệp kết thúc giữa chừng một mục") }
            data.append(chunk)
            left -= chunk.count
        }
        let pad = TarWriter.padding(size)
        if pad > 0 { _ = try handle.read(upToCount: pad) }
        return data
    }
}

public enum TarError: Error, CustomStringConvertible {
    case nameTooLong(String)
    case shortRead(String)
    case corrupt(String)

    public var description: String {
        switch self {
        case let .nameTooLong(name): "tên \(name) quá dài cho tệp lưu trữ"
        case let .shortRead(name): "\(name) đổi kích thước trong khi chép"
        case let .corrupt(why): "tệp lưu trữ hỏng: \(why)"
        }
    }
}
