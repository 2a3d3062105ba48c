import Foundation

// Moving a commune's SQLite database up to PostgreSQL (`motcua migrate-store`): every table of
// the shared schema, with the SQLite expression for each PostgreSQL column, in an order that
// satisfies the foreign keys. The rows travel in PostgreSQL's COPY text format.

/// One table to copy.
public struct CopyTable: Sendable {
    public let name: String
    /// PostgreSQL's columns, in order.
    public let columns: [String]
    /// The SQLite expression for each column (on the table aliased `t`).
    let expressions: [String]
    /// The SQLite key the rows are read in order of (keyset paging).
    let key: [String]

    init(_ name: String, key: [String], columns: [String], overrides: [String: String] = [:]) {
        self.name = name
        self.columns = columns
        self.key = key
        expressions = columns.map { overrides[$0] ?? "t.\($0)" }
    }
}

public enum StoreCopy {
    /// Every table, parents before children.
    public static let tables: [CopyTable] = [
        CopyTable("agency_levels", key: ["code"], columns: ["code", "name", "rank"]),
        CopyTable("agencies", key: ["id"], columns: ["id", "name", "level", "parent_id", "valid_from", "valid_to", "successor_id", "data"]),
        CopyTable("procedures", key: ["code"], columns: ["code", "name", "name_folded", "field", "level", "online_level", "data", "version"]),
        CopyTable("procedure_versions", key: ["code", "version"], columns: ["code", "version", "effective_from", "data"]),
        CopyTable(
            "officers", key: ["id"],
            columns: ["id", "username", "name", "role", "agency_id", "department_id", "password_hash", "active", "created_at"]),
        CopyTable("sessions", key: ["token_hash"], columns: ["token_hash", "officer_id", "created_at", "expires_at"]),
        CopyTable(
            "dossiers", key: ["id"],
            columns: [
                "id", "code", "agency_id", "current_agency_id", "pending_agency_id", "procedure_code", "status", "channel", "return_method",
                "applicant_name", "applicant_folded", "id_number", "phone", "submitted_at", "received_at", "due_at", "updated_at", "version",
                "handler_id", "department_id", "watch_due", "watch_near", "watch_step", "alert_at", "procedure_version", "data",
                "receiving_agency_id",
            ],
            overrides: ["applicant_name": "json_extract(t.data, '$.applicant.name')"]),
        CopyTable(
            "dossier_list", key: ["agency_id", "submitted_at", "dossier_id"],
            columns: ["agency_id", "submitted_at", "dossier_id", "status", "procedure_code", "name_folded"]),
        CopyTable(
            "dossier_name_keys", key: ["agency_id", "key", "submitted_at", "dossier_id"],
            columns: ["agency_id", "key", "submitted_at", "dossier_id"]),
        CopyTable(
            "dossier_events", key: ["dossier_id", "sequence"], columns: ["dossier_id", "sequence", "kind", "at", "actor_id", "agency_id", "data"]),
        CopyTable("dossier_sequences", key: ["agency_id", "day"], columns: ["agency_id", "day", "last"]),
        CopyTable("dossier_files", key: ["sha256", "dossier_id"], columns: ["sha256", "dossier_id"]),
        CopyTable(
            "step_facts", key: ["dossier_id", "sequence"],
            columns: ["dossier_id", "sequence", "step", "agency_id", "department_id", "officer_id", "officer_name", "due_at", "ended_at", "late"]),
        CopyTable("signing_keys", key: ["key_id"], columns: ["key_id", "agency_id", "algorithm", "public_key", "created_at", "retired_at"]),
        CopyTable(
            "result_signatures", key: ["dossier_id", "sequence"],
            columns: ["dossier_id", "sequence", "sha256", "dossier_code", "agency_id", "key_id", "signed_at", "algorithm", "signature"]),
        CopyTable(
            "idempotency_keys", key: ["scope", "key"],
            columns: ["scope", "key", "fingerprint", "created_at", "expires_at", "status", "headers", "body", "dossier_code"]),
        CopyTable("webhook_receipts", key: ["source", "id"], columns: ["source", "id", "received_at"]),
        CopyTable("dossier_alerts", key: ["dossier_id", "kind", "due"], columns: ["dossier_id", "kind", "due", "at", "agency_id"]),
        CopyTable(
            "notifications", key: ["id"],
            columns: ["id", "dossier_id", "code", "kind", "sequence", "created_at", "status", "attempts", "next_at", "delivered_at", "last_error",
                      "retry_since"]),
        CopyTable(
            "postal_orders", key: ["id"],
            columns: [
                "id", "dossier_id", "code", "agency_id", "direction", "created_at", "status", "attempts", "next_at", "sent_at", "waybill",
                "last_error", "retry_since",
            ]),
        CopyTable(
            "portal_messages", key: ["id"],
            columns: [
                "id", "dossier_id", "code", "agency_id", "sequence", "kind", "status", "attempts", "created_at", "next_at", "delivered_at",
                "last_error", "retry_since",
            ]),
        CopyTable(
            "dossier_stats", key: ["agency_id", "procedure_code", "received_at", "dossier_id"],
            columns: [
                "agency_id", "procedure_code", "received_at", "dossier_id", "channel", "level", "resolved_at", "resolution", "due_at",
                "supp_from", "supp_until", "fee_from", "fee_until", "returned_at", "returned_by_post", "has_fee", "paid_online", "digitised",
                "rating", "working_seconds",
            ]),
        CopyTable("stat_groups", key: ["agency_id", "procedure_code"], columns: ["agency_id", "procedure_code", "first_day", "span"]),
        CopyTable("stat_days", key: ["agency_id", "procedure_code", "day"], columns: ["agency_id", "procedure_code", "day"] + StatRows.dayColumns),
        CopyTable("login_failures", key: ["key"], columns: ["key", "count", "last_at", "locked_until"]),
        CopyTable("audit_log", key: ["id"], columns: ["id", "at", "kind", "username", "officer_id", "agency_id", "address", "detail"]),
    ]

    /// The control sheet's checksum: the sum modulo 2^64 of the first 8 bytes (big-endian) of
    /// MD5(dossier id ␟ sequence ␟ event JSON) over every event. Both sides compute it the same
    /// way (PostgreSQL in SQL), so a single changed byte in any event shows.
    public static let checksumSeparator = "\u{1F}"
}

/// Where a copy reads from: a consistent snapshot of a store.
public protocol CopySource: Sendable {
    /// Rows of each table in the snapshot.
    func rowCounts() throws -> [String: Int]
    /// The next rows of `table` after `cursor` (nil: from the start), in COPY text format; nil
    /// when the table is done.
    func batch(_ table: CopyTable, after cursor: CopyCursor?, limit: Int) throws -> CopyBatch?
}

/// Where a table's copy got to.
public struct CopyCursor: Sendable {
    let key: [CopyValue]
}

/// A key value of the source.
enum CopyValue: Sendable {
    case null, integer(Int64), real(Double), text(String), blob(Data)
}

/// Rows of one table, ready for `COPY … FROM STDIN`.
public struct CopyBatch: Sendable {
    public var text: String
    public var rows: Int
    public var cursor: CopyCursor
    /// The batch's part of the control sheet's checksum (events only).
    public var checksum: UInt64
}
