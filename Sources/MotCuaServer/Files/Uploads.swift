import Foundation
import MotCuaConfig
import MotCuaCore
import Hummingbird
import MultipartKit
import NIOCore

/// One part of a `multipart/form-data` body.
struct FormPart: Sendable {
    var name: String
    var filename: String?
    var contentType: String?
    var body: ByteBuffer

    var text: String { String(buffer: body) }
}

enum MultipartForm {
    /// The boundary of a `multipart/form-data` content type, if it is one.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType else { return nil }
        let parameters = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parameters.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parameters.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return (1...70).contains(value.count) ? value : nil
            }
        }
        return nil
    }

    /// Splits the body into its parts; a body that is not well-formed multipart is a 400.
    static func parse(_ body: ByteBuffer, contentType: String?) throws -> [FormPart] {
        guard let boundary = boundary(of: contentType) else {
            throw Problem.typed(.malformedMultipart, detail: "Nội dung phải là multipart/form-data có tham số boundary.")
        }
        // The closing delimiter must be there: a truncated upload is refused, not half-read.
        var trimmed = body.readableBytesView[...]
        while let last = trimmed.last, last == 13 || last == 10 || last == 32 { trimmed = trimmed.dropLast() }
        guard trimmed.reversed().starts(with: Array("--\(boundary)--".utf8).reversed()) else {
            throw Problem.typed(.malformedMultipart, detail: "Nội dung multipart bị cắt cụt hoặc thiếu dấu kết thúc.")
        }
        // MultipartKit 4.7.1 looks a header name's bytes up in a 128-entry table and traps on a
        // byte of 0x80 or more: one such request would take the process down. Refused here.
        guard headerNamesAreASCII(body, boundary: boundary) else {
            throw Problem.typed(.malformedMultipart, detail: "Nội dung multipart không đúng định dạng.")
        }
        let parser = MultipartParser(boundary: boundary)
        var parts: [FormPart] = []
        var headers: [(String, String)] = []
        var current = ByteBuffer()
        parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
        parser.onBody = { chunk in current.writeBuffer(&chunk) }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0 == "content-disposition" }?.1 ?? ""
            let parameters = Self.dispositionParameters(disposition)
            parts.append(FormPart(
                name: parameters["name"] ?? "", filename: parameters["filename"],
                contentType: headers.first { $0.0 == "content-type" }?.1, body: current))
            headers = []
            current = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw Problem.typed(.malformedMultipart, detail: "Nội dung multipart không đúng định dạng.")
        }
        guard !parts.isEmpty, parts.allSatisfy({ !$0.name.isEmpty }) else {
            throw Problem.typed(.malformedMultipart, detail: "Mỗi phần của nội dung multipart phải có Content-Disposition với tên (name).")
        }
        return parts
    }

    /// Whether every header name of every part is ASCII: the lines after each delimiter (at the
    /// body's start or after a CRLF, as RFC 2046 places them) up to the blank line, read up to
    /// their colon. Header values (a filename in Vietnamese) may hold any UTF-8.
    static func headerNamesAreASCII(_ body: ByteBuffer, boundary: String) -> Bool {
        let bytes = Array(body.readableBytesView)
        let delimiter = Array("--\(boundary)".utf8)
        var index = 0
        while index + delimiter.count <= bytes.count {
            let atLineStart = index == 0 || (index >= 2 && bytes[index - 2] == 13 && bytes[index - 1] == 10)
            guard atLineStart, bytes[index] == 45, bytes[index..<(index + delimiter.count)].elementsEqual(delimiter) else {
                index += 1
                continue
            }
            var position = index + delimiter.count
            if position + 1 < bytes.count, bytes[position] == 45, bytes[position + 1] == 45 { return true }  // the closing one
            while position < bytes.count, bytes[position] != 10 { position += 1 }  // the rest of the delimiter line
            position += 1
            while position < bytes.count {
                var end = position
                while end < bytes.count, bytes[end] != 10 { end += 1 }
                var line = bytes[position..<end]
                if line.last == 13 { line = line.dropLast() }
                if line.isEmpty { break }  // the blank line: the part's content follows
                let name = line.prefix { $0 != 58 }
                if name.contains(where: { $0 >= 0x80 }) { return false }
                position = end + 1
            }
            index = position
        }
        return true
    }

    /// `form-data; name="a"; filename="b.pdf"` → ["name": "a", "filename": "b.pdf"].
    static func dispositionParameters(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(value)
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].drop { $0 == " " }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var after = rest[rest.index(after: equals)...]
            var parsed = ""
            if after.first == "\"" {
                after = after.dropFirst()
                var escaped = false
                var end = after.endIndex
                for index in after.indices {
                    let character = after[index]
                    if escaped { parsed.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { end = index; break }
                    parsed.append(character)
                }
                rest = end < after.endIndex ? after[after.index(after: end)...] : after[after.endIndex...]
            } else {
                let end = after.firstIndex(of: ";") ?? after.endIndex
                parsed = after[..<end].trimmingCharacters(in: .whitespaces)
                rest = after[end...]
            }
            result[key] = parsed
        }
        return result
    }
}

/// The file types the API accepts, recognised by their first bytes: never by name or by the
/// type the sender claims.
enum FileKind {
    static func sniff(_ body: ByteBuffer) -> String? {
        let head = Array(body.readableBytesView.prefix(8))
        if head.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        return nil
    }

    /// A display name safe to store: no path, no control characters, at most 200 characters.
    static func safeName(_ filename: String?, fallback: String) -> String {
        let base = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(base.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(200))
        return cleaned.isEmpty ? fallback : cleaned
    }
}

/// Files arriving with a request: checked (name, size, type by content), then written to the blob
/// store before the transaction that refers to them, and removed again if it fails.
struct FileIntake {
    let dependencies: AppDependencies
    var settings: PublicAPISettings { dependencies.configuration.publicAPI }

    /// Reads a multipart body within the upload limit.
    func parts(of request: Request) async throws -> [FormPart] {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: settings.maxUploadBytes + 1_048_576)
        } catch {
            throw Problem.typed(.fileTooLarge, detail: "Tổng dung lượng các tệp vượt quá \(settings.maxUploadBytes) byte.")
        }
        return try MultipartForm.parse(body, contentType: request.headers[.contentType])
    }

    struct Upload {
        var file: StoredFile
        var bytes: ByteBuffer
    }

    /// Checks the file parts: a known part name (`document` gives the document it stands for),
    /// within the size limits, of an allowed type judged by content.
    func checked(_ parts: [FormPart], document: (String) -> String?) throws -> [Upload] {
        var total = 0
        var uploads: [Upload] = []
        for part in parts {
            guard let name = document(part.name) else {
                throw Problem.validation(field: part.name, reason: "Phần '\(part.name.prefix(64))' không ứng với giấy tờ nào của hồ sơ.")
            }
            let size = part.body.readableBytes
            let display = FileKind.safeName(part.filename, fallback: part.name)
            guard size > 0 else { throw Problem.validation(field: part.name, reason: "Tệp \"\(display)\" rỗng.") }
            guard size <= settings.maxFileBytes else {
                throw Problem.typed(
                    .fileTooLarge, detail: "Tệp \"\(display)\" vượt quá \(settings.maxFileBytes) byte.",
                    errors: [FieldProblem(field: part.name, reason: "Tệp vượt quá \(settings.maxFileBytes) byte.")])
            }
            total += size
            guard total <= settings.maxUploadBytes else {
                throw Problem.typed(
                    .fileTooLarge, detail: "Tổng dung lượng các tệp vượt quá \(settings.maxUploadBytes) byte.",
                    errors: [FieldProblem(field: part.name, reason: "Tổng dung lượng vượt quá giới hạn.")])
            }
            guard let type = FileKind.sniff(part.body) else {
                throw Problem.typed(
                    .unsupportedFileType, detail: "Tệp \"\(display)\" không phải PDF, JPEG hoặc PNG.",
                    errors: [FieldProblem(field: part.name, reason: "Chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).")])
            }
            uploads.append(Upload(
                file: StoredFile(sha256: BlobStore.sha256Hex(part.body), name: display, contentType: type, size: size, document: name),
                bytes: part.body))
        }
        return uploads
    }

    /// Writes the files to the blob store, then runs `commit`; when it fails, the files this
    /// request wrote are removed again (unless something else uses them).
    func storing<T>(_ uploads: [Upload], _ commit: () async throws -> T) async throws -> T {
        let blobs = dependencies.blobs
        var created: [String] = []
        var pinned: [String] = []
        do {
            var seen = Set<String>()
            for upload in uploads where seen.insert(upload.file.sha256).inserted {
                let new = try await blobs.put(upload.bytes, sha256: upload.file.sha256)
                pinned.append(upload.file.sha256)
                if new { created.append(upload.file.sha256) }
            }
            let result = try await commit()
            blobs.unpin(pinned)
            return result
        } catch {
            await blobs.discard(created: created, pinned: pinned, store: dependencies.store)
            throw error
        }
    }

}
