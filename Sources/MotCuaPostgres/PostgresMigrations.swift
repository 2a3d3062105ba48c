import Foundation
import Logging
import MotCuaStore
import PostgresNIO

/// Named migrations of the PostgreSQL schema. A migration that has shipped is never edited: add
/// a new one. They run at every start (and with `motcua migrate`), each in its own transaction
/// under a transaction-level advisory lock, so that two instances starting together apply each
/// step once: the second waits for the first and then finds the step recorded.
///
/// The layout follows SQLite's (same tables, columns and meaning; instants as seconds since
/// 1970 in `double precision`, statistics in `bigint`), with what a shared server needs on top:
/// - `dossier_access` carries the dossier's `submitted_at`, so that an agency's list, newest
///   first, is read from one index range (`dossier_access_newest`) and never sorts the agency's
///   whole history (a provincial centre holds millions of dossiers);
/// - names were searched through a trigram index (`pg_trgm`) on the folded name until
///   `v6-slim-layout` replaced it with the word-start keys both backends share (`SearchPlan`);
/// - `return_method` is a column (SQLite's postal queue reads it from the JSON);
/// - the control sheet refuses UPDATE, DELETE and TRUNCATE in triggers.
enum PostgresMigrations {
    /// Any fixed number: the key of the advisory lock that serializes migrations.
    static let lockKey: Int64 = 0x4D6F_7443_7561_0001

    static let all: [(name: String, sql: String)] = [
        ("v1-schema", v1),
        ("v2-lz4-json", v2),
        ("v3-login-failures-audit", v3),
        ("v4-dead-letters", v4),
        ("v5-report-covering-indexes", v5),
        ("v6-slim-layout", v6),
        ("v7-near-due-covering", v7),
        ("v8-outbox-retry-window", v8),
        ("v9-portal-outbox", v9),
        ("v10-result-signatures", v10),
        // The dossiers waiting for supplementation, for the watch that closes abandoned ones.
        ("v11-supplementation-waits", "CREATE INDEX dossiers_awaiting_supplementation ON dossiers(id) WHERE status = 'supplementation';"),
        // The current step's due time, for the watch's step-level warning.
        ("v12-step-watch", "ALTER TABLE dossiers ADD COLUMN watch_step double precision;"),
        // Each step that ended, for the reports of late steps by department and officer.
        ("v13-step-facts", """
            CREATE TABLE step_facts (
              dossier_id text NOT NULL,
              sequence integer NOT NULL,
              step text NOT NULL,
              agency_id text NOT NULL,
              department_id text,
              officer_id text NOT NULL,
              officer_name text NOT NULL,
              due_at double precision NOT NULL,
              ended_at double precision NOT NULL,
              late boolean NOT NULL,
              PRIMARY KEY (dossier_id, sequence)
            );
            CREATE INDEX step_facts_agency ON step_facts(agency_id, ended_at);
            """),
        ("v14-anywhere-in-province", v14),
    ]

    static func migrate(_ store: PostgresStore) async throws {
        // Under the lock too: two `CREATE TABLE IF NOT EXISTS` at once can both try to create it.
        try await store.transaction(timeout: PostgresStore.bulkTimeout) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: store.logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS motcua_migrations (
                  name text PRIMARY KEY,
                  applied_order serial NOT NULL,
                  applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: store.logger)
        }
        for (name, sql) in all {
            try await store.transaction(timeout: PostgresStore.bulkTimeout) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: store.logger)
                let done = try await connection.query("SELECT 1 FROM motcua_migrations WHERE name = \(name)", logger: store.logger).collect()
                guard done.isEmpty else { return }
                store.logger.info("applying migration", metadata: ["name": "\(name)"])
                for statement in statements(sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: store.logger)
                }
                try await connection.query("INSERT INTO motcua_migrations(name) VALUES (\(name))", logger: store.logger)
            }
        }
    }

    /// The statements of a migration, split at the semicolons that end a line outside a
    /// dollar-quoted body (PostgreSQL's extended protocol takes one statement at a time).
    static func statements(_ sql: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && line.hasSuffix(";") {
                result.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { result.append(rest) }
        return result
    }

    static let v1 = """
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE TABLE agency_levels (
          code text PRIMARY KEY,
          name text NOT NULL,
          rank integer NOT NULL
        );
        CREATE TABLE agencies (
          id text PRIMARY KEY,
          name text NOT NULL,
          level text NOT NULL,
          parent_id text,
          valid_from text NOT NULL,
          valid_to text,
          successor_id text,
          data text NOT NULL
        );
        CREATE TABLE procedures (
          code text PRIMARY KEY,
          name text NOT NULL,
          name_folded text NOT NULL,
          field text NOT NULL,
          level text NOT NULL,
          online_level integer NOT NULL,
          data text NOT NULL
        );
        CREATE TABLE officers (
          id text PRIMARY KEY,
          username text NOT NULL UNIQUE,
          name text NOT NULL,
          role text NOT NULL,
          agency_id text NOT NULL,
          department_id text,
          password_hash text NOT NULL,
          active boolean NOT NULL DEFAULT true,
          created_at double precision NOT NULL
        );
        CREATE INDEX officers_agency ON officers(agency_id, name);
        CREATE TABLE sessions (
          token_hash text PRIMARY KEY,
          officer_id text NOT NULL REFERENCES officers(id),
          created_at double precision NOT NULL,
          expires_at double precision NOT NULL
        );
        CREATE INDEX sessions_expiry ON sessions(expires_at);
        CREATE INDEX sessions_officer ON sessions(officer_id);
        CREATE TABLE dossiers (
          id text PRIMARY KEY,
          code text NOT NULL UNIQUE,
          agency_id text NOT NULL,
          current_agency_id text NOT NULL,
          pending_agency_id text,
          procedure_code text NOT NULL,
          status text NOT NULL,
          channel text NOT NULL,
          return_method text NOT NULL,
          applicant_name text NOT NULL,
          applicant_folded text NOT NULL,
          id_number text NOT NULL,
          phone text NOT NULL,
          submitted_at double precision NOT NULL,
          received_at double precision,
          due_at double precision,
          updated_at double precision NOT NULL,
          version integer NOT NULL,
          handler_id text,
          department_id text,
          watch_due double precision,
          watch_near double precision,
          alert_at double precision,
          data text NOT NULL
        );
        CREATE INDEX dossiers_current_agency ON dossiers(current_agency_id, status);
        CREATE INDEX dossiers_id_number ON dossiers(id_number);
        CREATE INDEX dossiers_phone ON dossiers(phone);
        CREATE INDEX dossiers_procedure ON dossiers(procedure_code);
        CREATE INDEX dossiers_submitted ON dossiers(submitted_at);
        CREATE INDEX dossiers_name_trgm ON dossiers USING gin (applicant_folded gin_trgm_ops);
        CREATE INDEX dossiers_alert_at ON dossiers(alert_at) WHERE alert_at IS NOT NULL;
        CREATE INDEX dossiers_watch_due ON dossiers(current_agency_id, watch_due) WHERE watch_due IS NOT NULL;
        CREATE INDEX dossiers_handler ON dossiers(handler_id, status) WHERE handler_id IS NOT NULL;
        CREATE INDEX dossiers_department ON dossiers(current_agency_id, department_id, status) WHERE department_id IS NOT NULL;
        CREATE TABLE dossier_access (
          agency_id text NOT NULL,
          dossier_id text NOT NULL REFERENCES dossiers(id),
          submitted_at double precision NOT NULL,
          PRIMARY KEY (agency_id, dossier_id)
        );
        CREATE INDEX dossier_access_newest ON dossier_access(agency_id, submitted_at DESC, dossier_id);
        CREATE TABLE dossier_events (
          dossier_id text NOT NULL REFERENCES dossiers(id),
          sequence integer NOT NULL,
          kind text NOT NULL,
          at double precision NOT NULL,
          actor_id text NOT NULL,
          agency_id text NOT NULL,
          data text NOT NULL,
          PRIMARY KEY (dossier_id, sequence)
        );
        CREATE FUNCTION motcua_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'the control sheet is append-only' USING ERRCODE = 'restrict_violation';
        END $$;
        CREATE TRIGGER dossier_events_append_only BEFORE UPDATE OR DELETE ON dossier_events
          FOR EACH ROW EXECUTE FUNCTION motcua_append_only();
        CREATE TRIGGER dossier_events_no_truncate BEFORE TRUNCATE ON dossier_events
          FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only();
        CREATE TABLE dossier_sequences (
          agency_id text NOT NULL,
          day text NOT NULL,
          last integer NOT NULL,
          PRIMARY KEY (agency_id, day)
        );
        CREATE TABLE dossier_files (
          sha256 text NOT NULL,
          dossier_id text NOT NULL REFERENCES dossiers(id),
          PRIMARY KEY (sha256, dossier_id)
        );
        CREATE TABLE idempotency_keys (
          scope text NOT NULL,
          key text NOT NULL,
          fingerprint text NOT NULL,
          created_at double precision NOT NULL,
          expires_at double precision NOT NULL,
          status integer,
          headers text,
          body bytea,
          dossier_code text,
          PRIMARY KEY (scope, key)
        );
        CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);
        CREATE TABLE webhook_receipts (
          source text NOT NULL,
          id text NOT NULL,
          received_at double precision NOT NULL,
          PRIMARY KEY (source, id)
        );
        CREATE INDEX webhook_receipts_received ON webhook_receipts(received_at);
        CREATE TABLE dossier_alerts (
          dossier_id text NOT NULL REFERENCES dossiers(id),
          kind text NOT NULL,
          due double precision NOT NULL,
          at double precision NOT NULL,
          agency_id text NOT NULL,
          PRIMARY KEY (dossier_id, kind, due)
        );
        CREATE INDEX dossier_alerts_at ON dossier_alerts(at);
        CREATE TABLE notifications (
          id text PRIMARY KEY,
          dossier_id text NOT NULL REFERENCES dossiers(id),
          code text NOT NULL,
          kind text NOT NULL,
          sequence integer NOT NULL,
          created_at double precision NOT NULL,
          status text NOT NULL DEFAULT 'pending',
          attempts integer NOT NULL DEFAULT 0,
          next_at double precision,
          delivered_at double precision,
          last_error text
        );
        CREATE INDEX notifications_due ON notifications(next_at) WHERE status = 'pending';
        CREATE INDEX notifications_dossier ON notifications(dossier_id, sequence);
        CREATE TABLE postal_orders (
          id text PRIMARY KEY,
          dossier_id text NOT NULL REFERENCES dossiers(id),
          code text NOT NULL,
          agency_id text NOT NULL,
          direction text NOT NULL,
          created_at double precision NOT NULL,
          status text NOT NULL DEFAULT 'pending',
          attempts integer NOT NULL DEFAULT 0,
          next_at double precision,
          sent_at double precision,
          waybill text,
          last_error text
        );
        CREATE INDEX postal_orders_due ON postal_orders(next_at) WHERE status = 'pending';
        CREATE INDEX postal_orders_dossier ON postal_orders(dossier_id);
        CREATE INDEX postal_orders_agency ON postal_orders(agency_id, status, created_at);
        CREATE UNIQUE INDEX postal_orders_waybill ON postal_orders(waybill) WHERE waybill IS NOT NULL;
        CREATE TABLE dossier_stats (
          agency_id text NOT NULL,
          procedure_code text NOT NULL,
          received_at bigint NOT NULL,
          dossier_id text NOT NULL,
          channel integer NOT NULL,
          level integer NOT NULL,
          resolved_at bigint,
          resolution integer,
          due_at bigint,
          supp_from bigint,
          supp_until bigint,
          fee_from bigint,
          fee_until bigint,
          returned_at bigint,
          returned_by_post boolean NOT NULL,
          has_fee boolean NOT NULL,
          paid_online boolean NOT NULL,
          digitised boolean NOT NULL,
          rating integer,
          working_seconds bigint,
          PRIMARY KEY (agency_id, procedure_code, received_at, dossier_id)
        );
        \(StatRows.partialIndexes)
        CREATE TABLE stat_groups (
          agency_id text NOT NULL,
          procedure_code text NOT NULL,
          first_day bigint NOT NULL,
          span bigint NOT NULL,
          PRIMARY KEY (agency_id, procedure_code)
        );
        CREATE TABLE stat_days (
          agency_id text NOT NULL,
          procedure_code text NOT NULL,
          day bigint NOT NULL,
          fresh bigint NOT NULL DEFAULT 0,
          online bigint NOT NULL DEFAULT 0,
          desk bigint NOT NULL DEFAULT 0,
          postal bigint NOT NULL DEFAULT 0,
          level3 bigint NOT NULL DEFAULT 0,
          level4 bigint NOT NULL DEFAULT 0,
          with_fee bigint NOT NULL DEFAULT 0,
          paid_online bigint NOT NULL DEFAULT 0,
          early bigint NOT NULL DEFAULT 0,
          on_time bigint NOT NULL DEFAULT 0,
          late bigint NOT NULL DEFAULT 0,
          closed bigint NOT NULL DEFAULT 0,
          working_seconds bigint NOT NULL DEFAULT 0,
          digitised bigint NOT NULL DEFAULT 0,
          rated bigint NOT NULL DEFAULT 0,
          poorly_rated bigint NOT NULL DEFAULT 0,
          returned bigint NOT NULL DEFAULT 0,
          returned_by_post bigint NOT NULL DEFAULT 0,
          PRIMARY KEY (agency_id, procedure_code, day)
        );
        """

    /// The JSON columns compressed with LZ4 rather than PostgreSQL's default pglz, where the server
    /// was built with it (Debian's is). Measured on 4,874 demo dossiers (7.4 KB of JSON each),
    /// COPY into `dossiers` with its indexes: 772 ms with pglz, 381 ms with LZ4, same run; a
    /// dossier's JSON takes 2.0 KB stored. Rows already written keep their compression; both
    /// read back the same.
    static let v2 = """
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)) THEN
            ALTER TABLE dossiers ALTER COLUMN data SET COMPRESSION lz4;
            ALTER TABLE dossier_events ALTER COLUMN data SET COMPRESSION lz4;
          END IF;
        END
        $$;
        """

    /// Failed logins by key (`user:…`, `address:…`), counted by every instance together, and the
    /// audit trail, append-only like the control sheet.
    static let v3 = """
        CREATE TABLE login_failures (
          key text PRIMARY KEY,
          count integer NOT NULL,
          last_at double precision NOT NULL,
          locked_until double precision
        );
        CREATE TABLE audit_log (
          id bigserial PRIMARY KEY,
          at double precision NOT NULL,
          kind text NOT NULL,
          username text,
          officer_id text,
          agency_id text,
          address text,
          detail text NOT NULL
        );
        CREATE INDEX audit_log_username ON audit_log(username, id);
        CREATE FUNCTION motcua_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'restrict_violation';
        END;
        $$;
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
          FOR EACH ROW EXECUTE FUNCTION motcua_audit_append_only();
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
          FOR EACH STATEMENT EXECUTE FUNCTION motcua_audit_append_only();
        """

    /// The metrics count each outbox's dead letters at every scrape.
    static let v4 = """
        CREATE INDEX notifications_dead ON notifications(created_at) WHERE status = 'dead';
        CREATE INDEX postal_orders_dead ON postal_orders(created_at) WHERE status = 'dead';
        """

    /// The report read from indexes alone. Its day sums and the rows open at a period's ends were
    /// fetched row by row from the heap, where rows of one (agency, procedure) group lie scattered
    /// in the order they were written (SQLite's tables are clustered by their key, PostgreSQL's
    /// are not): ~190,000 heap pages for a year over 10M dossiers. Covering indexes answer
    /// them with index-only scans. Measured on 10M dossiers, same run: a year's report 1,652-1,883
    /// ms before, 1,320-1,385 ms after (`docs/benchmarks.md`). The open and waiting indexes are
    /// the same as before plus their INCLUDE columns; the day rows' index doubles that table's
    /// size (~300 bytes a row, one row per group and day).
    /// Filing anywhere in the province (SQLite's `v18`): the receiving desk's agency, the queue
    /// of hand-offs waiting at an agency, two day counters; the day rows' covering index again
    /// with them, so that a report still reads that table from the index alone.
    static let v14 = """
        ALTER TABLE dossiers ADD COLUMN receiving_agency_id text;
        CREATE INDEX dossiers_receiving_agency ON dossiers(receiving_agency_id, status) WHERE receiving_agency_id IS NOT NULL;
        CREATE INDEX dossiers_pending_agency ON dossiers(pending_agency_id) WHERE pending_agency_id IS NOT NULL;
        ALTER TABLE stat_days ADD COLUMN received_elsewhere bigint NOT NULL DEFAULT 0;
        ALTER TABLE stat_days ADD COLUMN received_for_others bigint NOT NULL DEFAULT 0;
        DROP INDEX stat_days_cover;
        CREATE INDEX stat_days_cover ON stat_days(agency_id, procedure_code, day)
          INCLUDE (fresh, online, desk, postal, level3, level4, with_fee, paid_online, early, on_time, late, closed,
            working_seconds, digitised, rated, poorly_rated, returned, returned_by_post, received_elsewhere, received_for_others);
        """

    static let v5 = """
        CREATE INDEX stat_days_cover ON stat_days(agency_id, procedure_code, day)
          INCLUDE (fresh, online, desk, postal, level3, level4, with_fee, paid_online, early, on_time, late, closed,
            working_seconds, digitised, rated, poorly_rated, returned, returned_by_post);
        DROP INDEX dossier_stats_open;
        CREATE INDEX dossier_stats_open ON dossier_stats(agency_id, procedure_code, received_at)
          INCLUDE (channel, supp_from, supp_until, due_at, fee_from, fee_until)
          WHERE \(StatRows.openPredicate);
        DROP INDEX dossier_stats_waiting;
        CREATE INDEX dossier_stats_waiting ON dossier_stats(agency_id, procedure_code, supp_from)
          INCLUDE (received_at, channel, supp_until, due_at, fee_from, fee_until)
          WHERE \(StatRows.waitingPredicate);
        """

    /// The layout of issue #21, as SQLite's `v10-slim-layout`: procedure versions that the
    /// dossiers' slim JSON refers to, `dossier_list` (the agency's list rows with the status,
    /// procedure and folded name beside them) in place of `dossier_access`, the name keys
    /// (`SearchPlan`), codes indexed bytewise for prefixes, the queue counts' covering index. Rows written before it
    /// keep their whole JSON (`procedure_version` NULL) until `PostgresStore.rewriteToSlimLayout`
    /// has rewritten them, in batches after the migrations, resumable; the pending rewrite is a
    /// row of `motcua_pending_rewrites`.
    static let v6 = """
        CREATE TABLE procedure_versions (
          code text NOT NULL,
          version integer NOT NULL,
          effective_from double precision NOT NULL,
          data text NOT NULL,
          PRIMARY KEY (code, version)
        );
        ALTER TABLE procedures ADD COLUMN version integer NOT NULL DEFAULT 1;
        INSERT INTO procedure_versions(code, version, effective_from, data) SELECT code, 1, 0, data FROM procedures;
        ALTER TABLE dossiers ADD COLUMN procedure_version integer;
        CREATE TABLE dossier_list (
          agency_id text NOT NULL,
          submitted_at double precision NOT NULL,
          dossier_id text NOT NULL REFERENCES dossiers(id),
          status text NOT NULL,
          procedure_code text NOT NULL,
          name_folded text NOT NULL,
          PRIMARY KEY (agency_id, submitted_at, dossier_id)
        );
        INSERT INTO dossier_list(agency_id, submitted_at, dossier_id, status, procedure_code, name_folded)
          SELECT a.agency_id, d.submitted_at, d.id, d.status, d.procedure_code, d.applicant_folded
          FROM dossier_access a JOIN dossiers d ON d.id = a.dossier_id;
        DROP TABLE dossier_access;
        CREATE INDEX dossier_list_status ON dossier_list(agency_id, status, submitted_at) INCLUDE (name_folded);
        CREATE INDEX dossier_list_procedure ON dossier_list(agency_id, procedure_code, submitted_at);
        CREATE TABLE dossier_name_keys (
          agency_id text NOT NULL,
          key text COLLATE "C" NOT NULL,
          submitted_at double precision NOT NULL,
          dossier_id text NOT NULL,
          PRIMARY KEY (agency_id, key, submitted_at, dossier_id)
        );
        INSERT INTO dossier_name_keys(agency_id, key, submitted_at, dossier_id)
          SELECT l.agency_id, left(array_to_string(w.words[i:], ' '), 100), l.submitted_at, l.dossier_id
          FROM dossier_list l
          CROSS JOIN LATERAL (SELECT string_to_array(l.name_folded, ' ') AS words) w
          CROSS JOIN LATERAL generate_subscripts(w.words, 1) AS i
          ON CONFLICT DO NOTHING;
        CREATE INDEX dossiers_code_bytes ON dossiers((code COLLATE "C"));
        DROP INDEX dossiers_name_trgm;
        DROP INDEX dossiers_current_agency;
        CREATE INDEX dossiers_current_agency ON dossiers(current_agency_id, status, channel, return_method);
        CREATE TABLE motcua_pending_rewrites (name text PRIMARY KEY);
        INSERT INTO motcua_pending_rewrites(name) SELECT 'slim-layout' WHERE EXISTS (SELECT 1 FROM dossiers);
        """

    /// The near-due queue's count from the index alone (SQLite's figures in its `v11`).
    static let v7 = """
        DROP INDEX dossiers_watch_due;
        CREATE INDEX dossiers_watch_due ON dossiers(current_agency_id, watch_due) INCLUDE (watch_near) WHERE watch_due IS NOT NULL;
        """

    /// Transient failures are retried for a time, counted from `retry_since` (NULL: the
    /// creation); a manual retry of a dead letter starts a new window.
    static let v8 = """
        ALTER TABLE notifications ADD COLUMN retry_since double precision;
        ALTER TABLE postal_orders ADD COLUMN retry_since double precision;
        """

    /// The national portal's outbox (SQLite's `v13`): one message per event, delivered in version
    /// order per dossier; `next_at` is NULL while an earlier message of the dossier is unacknowledged.
    static let v9 = """
        CREATE TABLE portal_messages (
          id text PRIMARY KEY,
          dossier_id text NOT NULL,
          code text NOT NULL,
          agency_id text NOT NULL,
          sequence integer NOT NULL,
          kind text NOT NULL,
          status text NOT NULL DEFAULT 'pending',
          attempts integer NOT NULL DEFAULT 0,
          created_at double precision NOT NULL,
          next_at double precision,
          delivered_at double precision,
          last_error text,
          retry_since double precision
        );
        CREATE INDEX portal_messages_due ON portal_messages(next_at) WHERE status = 'pending';
        CREATE UNIQUE INDEX portal_messages_dossier ON portal_messages(dossier_id, sequence);
        CREATE INDEX portal_messages_dead ON portal_messages(created_at) WHERE status = 'dead';
        CREATE INDEX portal_messages_agency ON portal_messages(agency_id, created_at);
        """

    /// The agencies' public keys, and each electronic result's signature by the event (dossier,
    /// sequence) that carries it, found by the file's digest.
    static let v10 = """
        CREATE TABLE signing_keys (
          key_id text PRIMARY KEY,
          agency_id text NOT NULL,
          algorithm text NOT NULL,
          public_key text NOT NULL,
          created_at double precision NOT NULL,
          retired_at double precision
        );
        CREATE INDEX signing_keys_agency ON signing_keys(agency_id, created_at);
        CREATE TABLE result_signatures (
          dossier_id text NOT NULL,
          sequence integer NOT NULL,
          sha256 text NOT NULL,
          dossier_code text NOT NULL,
          agency_id text NOT NULL,
          key_id text NOT NULL,
          signed_at double precision NOT NULL,
          algorithm text NOT NULL,
          signature text NOT NULL,
          PRIMARY KEY (dossier_id, sequence)
        );
        CREATE INDEX result_signatures_sha256 ON result_signatures(sha256 COLLATE "C");
        """
}
