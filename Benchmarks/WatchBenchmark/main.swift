// The overdue watch at scale (issue #6): a sweep must cost what its crossings cost, not what
// the table holds.
//
//   swift build -c release --product WatchBenchmark
//   .build/release/WatchBenchmark 1000000 [database path]
//
// Generates N dossiers in the real schema (migrations of SQLiteStore; narrow stored JSON, since
// the sweep never reads it): 85% finished, 15% running with appointments spread over the next
// 60 days. Then it times (1) sweeps in which nothing crosses and (2) a sweep in which 10,000
// dossiers cross, by the same store method the server's OverdueWatch calls.
import Foundation
import GRDB
import MotCuaCore
import MotCuaDemo
import MotCuaStore

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let path = arguments.count > 2 ? arguments[2] : FileManager.default.temporaryDirectory.appendingPathComponent("motcua-watch-\(count).sqlite").path
let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21, a Monday
let agencies = (1...10).map { String(format: "000.15.%02d.H42", $0) }

func milliseconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }
func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

let store = try SQLiteStore(path: path)
let pool = try DatabasePool(path: path)
let existing = try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossiers") ?? 0 }
if existing < count {
    say("generating \(count - existing) dossiers in \(path)…")
    let started = milliseconds()
    var generator = SeededGenerator(seed: 42)
    let batch = 100_000
    var i = existing
    while i < count {
        let end = min(count, i + batch)
        try pool.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO dossiers(id, code, agency_id, current_agency_id, procedure_code, procedure_version, status, channel,
                  return_method, applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at, version, data,
                  watch_due, watch_near, alert_at)
                VALUES (?, ?, ?, ?, ?, 0, ?, 'desk', 'desk', 'nguyen van an', ?, ?, ?, ?, ?, ?, 3, '{}', ?, ?, ?)
                """)
            for n in i..<end {
                let agency = agencies[n % agencies.count]
                let submitted = now.timeIntervalSince1970 - Double(count - n) * 20
                let running = Double.random(in: 0..<1, using: &generator) < 0.15
                let due = running ? now.timeIntervalSince1970 + Double.random(in: 3 * 86_400..<60 * 86_400, using: &generator) : submitted + 5 * 86_400
                let near = due - 86_400
                try statement.execute(arguments: [
                    String(format: "%016x-bench", n), "\(agency)-bench-\(n)", agency, agency, "1.001193",
                    running ? "processing" : "returned", String(format: "%012d", n), String(format: "09%08d", n % 100_000_000),
                    submitted, submitted, due, submitted, running ? due : nil, running ? near : nil, running ? near : nil,
                ])
            }
        }
        i = end
        say("  \(i) rows, \(Int((milliseconds() - started) / 1000)) s")
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

// (1) Nothing crosses: every running dossier's first threshold is at least two days ahead.
var quiet: [Double] = []
for _ in 0..<21 {
    let t = milliseconds()
    let result = try await store.sweepAlerts(now: now, limit: 2_000)
    quiet.append(milliseconds() - t)
    precondition(result.dossiers == 0, "the quiet sweep found \(result.dossiers) dossiers")
}
say(String(format: "N=%d quiet sweep: median %.3f ms, max %.3f ms (21 sweeps)", count, median(quiet), quiet.max()!))

// (2) 10,000 crossings: bring 10,000 running dossiers' appointments to just past `later`.
for round in 1...3 {
    let later = now.addingTimeInterval(Double(round) * 3600)
    try pool.write { db in
        try db.execute(sql: """
            UPDATE dossiers SET watch_due = ?, watch_near = ?, alert_at = ?
            WHERE id IN (SELECT id FROM dossiers WHERE watch_due IS NOT NULL AND alert_at IS NOT NULL AND alert_at > ? ORDER BY alert_at DESC LIMIT 10000)
            """, arguments: [later.timeIntervalSince1970 - 60, later.timeIntervalSince1970 - 7200, later.timeIntervalSince1970 - 7200, later.timeIntervalSince1970])
    }
    let t = milliseconds()
    var dossiers = 0, alerts = 0
    while true {
        let result = try await store.sweepAlerts(now: later, limit: 2_000)
        dossiers += result.dossiers
        alerts += result.alerts.count
        if result.dossiers < 2_000 { break }
    }
    let elapsed = milliseconds() - t
    say(String(format: "N=%d round %d: %d dossiers crossed, %d crossings recorded in %.0f ms", count, round, dossiers, alerts, elapsed))
}
