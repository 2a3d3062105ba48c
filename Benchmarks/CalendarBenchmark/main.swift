// Calendar benchmark: due-time throughput on one core and the cost of building a year.
//
//     swift run -c release CalendarBenchmark
//
// Targets (issue #2): ≥ 2,000,000 due-time computations per second on one core for terms of
// 1–30 working days; one year's calendar built in under 1 ms.
import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaDemo

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func measure<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try body()
    return (result, seconds(clock.now - start))
}

let configDirectory = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "Config")

// 1. One year: holidays from the lunar calendar plus the decision, then its working-time table.
let (decisions, files) = try ConfigLoader.loadDecisions(from: configDirectory.appendingPathComponent("calendars"))
let yearRuns = 2_000
let (_, yearTime) = try measure {
    var total = 0
    for i in 0..<yearRuns {
        let year = 2000 + i % 100
        let calendar = try WorkCalendar(years: year...year, decisions: decisions, files: files)
        total &+= calendar.calendarYears[0].daysOff.count
    }
    return total
}
print(String(format: "one year's calendar (holidays + working-time table): %.1f µs", yearTime / Double(yearRuns) * 1e6))

// 2. The whole supported range, as `motcua serve` and the CLI load it.
let (calendars, loadTime) = try measure { try ConfigLoader.loadCalendars(from: configDirectory) }
print(String(format: "Config/ load with 1900–2100 built: %.1f ms", loadTime * 1000))
let calendar = calendars.standard

// 3. Due times for random intakes in 2025–2027, terms of 1–30 working days.
var rng = SeededGenerator(seed: 42)
let base = WorkCalendar.parse("2025-01-01T00:00:00")!.timeIntervalSince1970
let starts = (0..<4096).map { _ in Date(timeIntervalSince1970: base + Double(Int.random(in: 0..<(3 * 365 * 86_400), using: &rng))) }
let terms = (0..<4096).map { _ in Int64(Int.random(in: 1...30, using: &rng)) * calendar.workingDaySeconds }
let iterations = 10_000_000
var checksum = 0.0
let (_, dueTime) = try measure {
    for i in 0..<iterations {
        let due = try calendar.due(from: starts[i & 4095], workingSeconds: terms[(i >> 12 &+ i) & 4095])
        checksum += due.timeIntervalSince1970
    }
}
print(String(format: "due-time computations: %.2f million/s on one core (%d in %.2f s, checksum %.0f)",
             Double(iterations) / dueTime / 1e6, iterations, dueTime, checksum.truncatingRemainder(dividingBy: 1e6)))

// 4. Elapsed working time between two instants (the overdue sweep's inner question).
let (_, elapsedTime) = try measure {
    var total: Int64 = 0
    for i in 0..<iterations {
        total &+= try calendar.elapsed(from: starts[i & 4095], to: starts[(i >> 12 &+ i) & 4095])
    }
    return total
}
print(String(format: "elapsed-time computations: %.2f million/s on one core", Double(iterations) / elapsedTime / 1e6))
