import GRDB
import MotCuaCore

extension SQLiteStore {
    /// Named migrations. A migration that has shipped is never edited: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-catalogue-officers-dossiers") { db in
            try db.execute(sql: """
                CREATE TABLE agency_levels (
                  code TEXT PRIMARY KEY,
                  name TEXT NOT NULL,
                  rank INTEGER NOT NULL
                );
                CREATE TABLE agencies (
                  id TEXT PRIMARY KEY,
                  name TEXT NOT NULL,
                  level TEXT NOT NULL,
                  parent_id TEXT,
                  valid_from TEXT NOT NULL,
                  valid_to TEXT,
                  successor_id TEXT,
                  data TEXT NOT NULL
                );
                CREATE TABLE procedures (
                  code TEXT PRIMARY KEY,
                  name TEXT NOT NULL,
                  name_folded TEXT NOT NULL,
                  field TEXT NOT NULL,
                  level TEXT NOT NULL,
                  online_level INTEGER NOT NULL,
                  data TEXT NOT NULL
                );
                CREATE TABLE officers (
                  id TEXT PRIMARY KEY,
                  username TEXT NOT NULL UNIQUE,
                  name TEXT NOT NULL,
                  role TEXT NOT NULL,
                  agency_id TEXT NOT NULL,
                  department_id TEXT,
                  password_hash TEXT NOT NULL,
                  active INTEGER NOT NULL DEFAULT 1,
                  created_at REAL NOT NULL
                );
                CREATE TABLE sessions (
                  token_hash TEXT PRIMARY KEY,
                  officer_id TEXT NOT NULL REFERENCES officers(id),
                  created_at REAL NOT NULL,
                  expires_at REAL NOT NULL
                );
                CREATE INDEX sessions_expiry ON sessions(expires_at);
                CREATE TABLE dossiers (
                  id TEXT PRIMARY KEY,
                  code TEXT NOT NULL UNIQUE,
                  agency_id TEXT NOT NULL,
                  current_agency_id TEXT NOT NULL,
                  pending_agency_id TEXT,
                  procedure_code TEXT NOT NULL,
                  status TEXT NOT NULL,
                  channel TEXT NOT NULL,
                  applicant_name TEXT NOT NULL,
                  \(SQLiteStore.dossierSearchAndClockColumns)
                  data TEXT NOT NULL
                );
                CREATE INDEX dossiers_status_due ON dossiers(status, due_at);
                CREATE INDEX dossiers_current_agency ON dossiers(current_agency_id, status);
                CREATE INDEX dossiers_id_number ON dossiers(id_number);
                CREATE INDEX dossiers_phone ON dossiers(phone);
                CREATE INDEX dossiers_procedure ON dossiers(procedure_code);
                CREATE INDEX dossiers_submitted ON dossiers(submitted_at);
                CREATE TABLE dossier_access (
                  agency_id TEXT NOT NULL,
                  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
                  PRIMARY KEY (agency_id, dossier_id)
                ) WITHOUT ROWID;
                CREATE TABLE dossier_events (
                  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
                  sequence INTEGER NOT NULL,
                  kind TEXT NOT NULL,
                  at REAL NOT NULL,
                  actor_id TEXT NOT NULL,
                  agency_id TEXT NOT NULL,
                  data TEXT NOT NULL,
                  PRIMARY KEY (dossier_id, sequence)
                ) WITHOUT ROWID;
                CREATE TRIGGER dossier_events_append_only_update BEFORE UPDATE ON dossier_events
                BEGIN SELECT RAISE(ABORT, 'the control sheet is append-only'); END;
                CREATE TRIGGER dossier_events_append_only_delete BEFORE DELETE ON dossier_events
                BEGIN SELECT RAISE(ABORT, 'the control sheet is append-only'); END;
                CREATE TABLE dossier_sequences (
                  agency_id TEXT NOT NULL,
                  day TEXT NOT NULL,
                  last INTEGER NOT NULL,
                  PRIMARY KEY (agency_id, day)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-files-idempotency-webhooks") { db in
            try db.execute(sql: """
                CREATE TABLE dossier_files (
                  sha256 TEXT NOT NULL,
                  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
                  PRIMARY KEY (sha256, dossier_id)
                ) WITHOUT ROWID;
                CREATE TABLE idempotency_keys (
                  scope TEXT NOT NULL,
                  key TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  created_at REAL NOT NULL,
                  expires_at REAL NOT NULL,
                  status INTEGER,
                  headers TEXT,
                  body BLOB,
                  dossier_code TEXT,
                  PRIMARY KEY (scope, key)
                ) WITHOUT ROWID;
                CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);
                CREATE TABLE webhook_receipts (
                  source TEXT NOT NULL,
                  id TEXT NOT NULL,
                  received_at REAL NOT NULL,
                  PRIMARY KEY (source, id)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-overdue-watch") { db in
            try db.execute(sql: """
                ALTER TABLE dossiers ADD COLUMN handler_id TEXT;
                ALTER TABLE dossiers ADD COLUMN department_id TEXT;
                ALTER TABLE dossiers ADD COLUMN watch_due REAL;
                ALTER TABLE dossiers ADD COLUMN watch_near REAL;
                ALTER TABLE dossiers ADD COLUMN alert_at REAL;
                CREATE TABLE dossier_alerts (
                  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
                  kind TEXT NOT NULL,
                  due REAL NOT NULL,
                  at REAL NOT NULL,
                  agency_id TEXT NOT NULL,
                  PRIMARY KEY (dossier_id, kind, due)
                ) WITHOUT ROWID;
                CREATE INDEX dossier_alerts_at ON dossier_alerts(at);
                -- Rows written before the watch: running dossiers are judged on their appointment,
                -- with a one-working-day window approximated as 24 hours.
                UPDATE dossiers SET
                  handler_id = json_extract(data, '$.handlerID'),
                  department_id = json_extract(data, '$.departmentID'),
                  watch_due = CASE WHEN status IN ('received', 'processing', 'approved')
                    THEN coalesce(json_extract(data, '$.apology.newDueAt'), json_extract(data, '$.dueAt')) END;
                UPDATE dossiers SET watch_near = coalesce(json_extract(data, '$.nearDueAt'), watch_due - 86400), alert_at = watch_due - 86400
                  WHERE watch_due IS NOT NULL;
                CREATE INDEX dossiers_alert_at ON dossiers(alert_at) WHERE alert_at IS NOT NULL;
                CREATE INDEX dossiers_watch_due ON dossiers(current_agency_id, watch_due) WHERE watch_due IS NOT NULL;
                CREATE INDEX dossiers_handler ON dossiers(handler_id, status) WHERE handler_id IS NOT NULL;
                CREATE INDEX dossiers_department ON dossiers(current_agency_id, department_id, status) WHERE department_id IS NOT NULL;
                -- Queues and the watch use the indexes above; no query filters on status and due time alone.
                DROP INDEX dossiers_status_due;
                """)
        }
        migrator.registerMigration("v4-notification-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE notifications (
                  id TEXT PRIMARY KEY NOT NULL,
                  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
                  code TEXT NOT NULL,
                  kind TEXT NOT NULL,
                  sequence INTEGER NOT NULL,
                  created_at REAL NOT NULL,
                  status TEXT NOT NULL DEFAULT 'pending',
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_at REAL,
                  delivered_at REAL,
                  last_error TEXT
                ) WITHOUT ROWID;
                CREATE INDEX notifications_due ON notifications(next_at) WHERE status = 'pending';
                """)
        }
        migrator.registerMigration("v5-statistics") { db in
            try db.execute(sql: SQLiteStore.statisticsMigration)
            // Facts for the dossiers already there.
            let rows = try Row.fetchCursor(db, sql: "SELECT data FROM dossiers WHERE received_at IS NOT NULL")
            while let row = try rows.next() {
                if let fact = StatFact(try SQLiteStore.decode(Dossier.self, row[0])) { try SQLiteStore.writeFact(fact, replacing: nil, db: db) }
            }
        }
        migrator.registerMigration("v6-postal-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE postal_orders (
                  id TEXT PRIMARY KEY NOT NULL,
                  dossier_id TEXT NOT NULL REFERENCES dossiers(id),
                  code TEXT NOT NULL,
                  agency_id TEXT NOT NULL,
                  direction TEXT NOT NULL,
                  created_at REAL NOT NULL,
                  status TEXT NOT NULL DEFAULT 'pending',
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_at REAL,
                  sent_at REAL,
                  waybill TEXT,
                  last_error TEXT
                ) WITHOUT ROWID;
                CREATE INDEX postal_orders_due ON postal_orders(next_at) WHERE status = 'pending';
                CREATE INDEX postal_orders_dossier ON postal_orders(dossier_id);
                CREATE INDEX postal_orders_agency ON postal_orders(agency_id, status, created_at);
                CREATE UNIQUE INDEX postal_orders_waybill ON postal_orders(waybill) WHERE waybill IS NOT NULL;
                """)
        }
        migrator.registerMigration("v7-webhook-receipts-by-age") { db in
            try db.execute(sql: "CREATE INDEX webhook_receipts_received ON webhook_receipts(received_at)")
        }
        migrator.registerMigration("v8-login-failures-audit") { db in
            // Failed logins by key (`user:…`, `address:…`), and the audit trail: append-only,
            // its ids never reused (AUTOINCREMENT), read newest first by id.
            try db.execute(sql: """
                CREATE TABLE login_failures (
                  key TEXT PRIMARY KEY,
                  count INTEGER NOT NULL,
                  last_at REAL NOT NULL,
                  locked_until REAL
                ) WITHOUT ROWID;
                CREATE TABLE audit_log (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  at REAL NOT NULL,
                  kind TEXT NOT NULL,
                  username TEXT,
                  officer_id TEXT,
                  agency_id TEXT,
                  address TEXT,
                  detail TEXT NOT NULL
                );
                CREATE INDEX audit_log_username ON audit_log(username, id);
                CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                """)
        }
        migrator.registerMigration("v9-dead-letters") { db in
            // The metrics count each outbox's dead letters at every scrape.
            try db.execute(sql: """
                CREATE INDEX notifications_dead ON notifications(created_at) WHERE status = 'dead';
                CREATE INDEX postal_orders_dead ON postal_orders(created_at) WHERE status = 'dead';
                """)
        }
        registerSlimLayout(&migrator)
        migrator.registerMigration("v11-near-due-covering") { db in
            // The near-due queue's count read each not-yet-due dossier's row for `watch_near`
            // (10 ms for a centre's 5,540 at 10M); with it in the index, 0.4 ms.
            try db.execute(sql: """
                DROP INDEX dossiers_watch_due;
                CREATE INDEX dossiers_watch_due ON dossiers(current_agency_id, watch_due, watch_near) WHERE watch_due IS NOT NULL;
                """)
        }
        migrator.registerMigration("v12-outbox-retry-window") { db in
            // Transient failures are retried for a time, counted from here (NULL: the creation);
            // a manual retry of a dead letter starts a new window.
            try db.execute(sql: """
                ALTER TABLE notifications ADD COLUMN retry_since REAL;
                ALTER TABLE postal_orders ADD COLUMN retry_since REAL;
                """)
        }
        migrator.registerMigration("v13-portal-outbox") { db in
            // One message per event for the national portal, delivered in version order per
            // dossier: `next_at` is NULL while an earlier message of the dossier is unacknowledged.
            try db.execute(sql: """
                CREATE TABLE portal_messages (
                  id TEXT PRIMARY KEY,
                  dossier_id TEXT NOT NULL,
                  code TEXT NOT NULL,
                  agency_id TEXT NOT NULL,
                  sequence INTEGER NOT NULL,
                  kind TEXT NOT NULL,
                  status TEXT NOT NULL DEFAULT 'pending',
                  attempts INTEGER NOT NULL DEFAULT 0,
                  created_at REAL NOT NULL,
                  next_at REAL,
                  delivered_at REAL,
                  last_error TEXT,
                  retry_since REAL
                );
                CREATE INDEX portal_messages_due ON portal_messages(next_at) WHERE status = 'pending';
                CREATE UNIQUE INDEX portal_messages_dossier ON portal_messages(dossier_id, sequence);
                CREATE INDEX portal_messages_dead ON portal_messages(created_at) WHERE status = 'dead';
                CREATE INDEX portal_messages_agency ON portal_messages(agency_id, created_at);
                """)
        }
        migrator.registerMigration("v14-result-signatures") { db in
            // The agencies' public keys, and each electronic result's signature by the event
            // (dossier, sequence) that carries it, found by the file's digest.
            try db.execute(sql: """
                CREATE TABLE signing_keys (
                  key_id TEXT PRIMARY KEY,
                  agency_id TEXT NOT NULL,
                  algorithm TEXT NOT NULL,
                  public_key TEXT NOT NULL,
                  created_at REAL NOT NULL,
                  retired_at REAL
                );
                CREATE INDEX signing_keys_agency ON signing_keys(agency_id, created_at);
                CREATE TABLE result_signatures (
                  dossier_id TEXT NOT NULL,
                  sequence INTEGER NOT NULL,
                  sha256 TEXT NOT NULL,
                  dossier_code TEXT NOT NULL,
                  agency_id TEXT NOT NULL,
                  key_id TEXT NOT NULL,
                  signed_at REAL NOT NULL,
                  algorithm TEXT NOT NULL,
                  signature TEXT NOT NULL,
                  PRIMARY KEY (dossier_id, sequence)
                );
                CREATE INDEX result_signatures_sha256 ON result_signatures(sha256);
                """)
        }
        migrator.registerMigration("v15-supplementation-waits") { db in
            // The dossiers waiting for supplementation, for the watch that closes abandoned ones.
            try db.execute(sql: "CREATE INDEX dossiers_awaiting_supplementation ON dossiers(id) WHERE status = 'supplementation'")
        }
        migrator.registerMigration("v16-step-watch") { db in
            // The current step's due time, for the watch's step-level warning (rows written
            // before have none: their next hand-off sets it).
            try db.execute(sql: "ALTER TABLE dossiers ADD COLUMN watch_step REAL")
        }
        migrator.registerMigration("v17-step-facts") { db in
            // Each step that ended, for the reports of late steps by department and officer.
            try db.execute(sql: """
                CREATE TABLE step_facts (
                  dossier_id TEXT NOT NULL,
                  sequence INTEGER NOT NULL,
                  step TEXT NOT NULL,
                  agency_id TEXT NOT NULL,
                  department_id TEXT,
                  officer_id TEXT NOT NULL,
                  officer_name TEXT NOT NULL,
                  due_at REAL NOT NULL,
                  ended_at REAL NOT NULL,
                  late INTEGER NOT NULL,
                  PRIMARY KEY (dossier_id, sequence)
                );
                CREATE INDEX step_facts_agency ON step_facts(agency_id, ended_at);
                """)
        }
        migrator.registerMigration("v18-anywhere-in-province") { db in
            // Dossiers filed anywhere in the province: the receiving desk's agency (its queue of
            // dossiers taken in for others), the queue of hand-offs waiting at an agency, and the
            // day counters of dossiers received across boundaries (by the competent agency: taken
            // in elsewhere; by the receiving one: taken in for others).
            try db.execute(sql: """
                ALTER TABLE dossiers ADD COLUMN receiving_agency_id TEXT;
                CREATE INDEX dossiers_receiving_agency ON dossiers(receiving_agency_id, status) WHERE receiving_agency_id IS NOT NULL;
                CREATE INDEX dossiers_pending_agency ON dossiers(pending_agency_id) WHERE pending_agency_id IS NOT NULL;
                ALTER TABLE stat_days ADD COLUMN received_elsewhere INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE stat_days ADD COLUMN received_for_others INTEGER NOT NULL DEFAULT 0;
                """)
        }
        return migrator
    }
}
