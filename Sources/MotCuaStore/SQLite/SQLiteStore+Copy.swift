import Crypto
import Foundation
import GRDB

// The reading side of `motcua migrate-store`: a snapshot of the database (a running server
// keeps writing; the copy sees one instant), read table by table in key order.
extension SQLiteStore {
    /// A consistent snapshot to copy from.
    public func copySource() throws -> any CopySource {
        SQLiteCopySource(snapshot: try pool.makeSnapshot())
    }
}

struct SQLiteCopySource: CopySource {
    let snapshot: DatabaseSnapshot

    func rowCounts() throws -> [String: Int] {
        try snapshot.read { db in
            var counts: [String: Int] = [:]
            for table in StoreCopy.tables {
                counts[table.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0
            }
            return counts
        }
    }

    func batch(_ table: CopyTable, after cursor: CopyCursor?, limit: Int) throws -> CopyBatch? {
        let keys = table.key.map { "t.\($0)" }
        var sql = "SELECT \((table.expressions + keys).joined(separator: ", ")) FROM \(table.name) t"
        var arguments: [DatabaseValue] = []
        if let cursor {
            sql += " WHERE (\(keys.joined(separator: ", "))) > (\(keys.map { _ in "?" }.joined(separator: ", ")))"
            arguments = cursor.key.map(\.databaseValue)
        }
        sql += " ORDER BY \(keys.joined(separator: ", ")) LIMIT \(limit)"
        let isEvents = table.name == "dossier_events"
        return try snapshot.read { db -> CopyBatch? in
            var text = ""
            var rows = 0
            var last: [CopyValue] = []
            var checksum: UInt64 = 0
            let columns = table.columns.count
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try cursor.next() {
                for index in 0..<columns {
                    if index > 0 { text += "\t" }
                    Self.appendCopyText(row[index] as DatabaseValue, to: &text)
                }
                text += "\n"
                last = (columns..<(columns + keys.count)).map { CopyValue(row[$0] as DatabaseValue) }
                if isEvents {
                    let dossier: String = row[0], sequence: Int64 = row[1], data: String = row[6]
                    checksum &+= Self.eventChecksum(dossierID: dossier, sequence: sequence, data: data)
                }
                rows += 1
            }
            guard rows > 0 else { return nil }
            return CopyBatch(text: text, rows: rows, cursor: CopyCursor(key: last), checksum: checksum)
        }
    }

    /// First 8 bytes (big-endian) of MD5(dossier id ␟ sequence ␟ JSON).
    static func eventChecksum(dossierID: String, sequence: Int64, data: String) -> UInt64 {
        let digest = Insecure.MD5.hash(data: Data((dossierID + StoreCopy.checksumSeparator + "\(sequence)" + StoreCopy.checksumSeparator + data).utf8))
        return digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// One value in COPY's text format: `\N` for NULL, backslash escapes for the separators.
    static func appendCopyText(_ value: DatabaseValue, to text: inout String) {
        switch value.storage {
        case .null: text += "\\N"
        case let .int64(number): text += String(number)
        case let .double(number): text += "\(number)"
        case let .string(string):
            guard string.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                text += string
                return
            }
            for character in string.unicodeScalars {
                switch character {
                case "\\": text += "\\\\"
                case "\t": text += "\\t"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                default: text.unicodeScalars.append(character)
                }
            }
        case let .blob(data):
            // bytea in hex, its backslash doubled for COPY.
            text += "\\\\x" + data.map { String(format: "%02x", $0) }.joined()
        }
    }
}

extension CopyValue {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case let .int64(number): self = .integer(number)
        case let .double(number): self = .real(number)
        case let .string(string): self = .text(string)
        case let .blob(data): self = .blob(data)
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case let .integer(number): number.databaseValue
        case let .real(number): number.databaseValue
        case let .text(string): string.databaseValue
        case let .blob(data): data.databaseValue
        }
    }
}
