/// Dossier codes `{agency identifier}-{yyMMdd}-{NNNN}`, e.g. `000.00.12.H12-210415-0007`: the
/// receiving agency, the intake date in Vietnam local time, and a 4-digit sequence per agency
/// that restarts every day. The sequence itself is allocated by the store, atomically.
public enum DossierCode {
    public static func make(agencyID: String, date: LocalDate, sequence: Int) -> String {
        let (y, m, d) = date.components
        return "\(agencyID)-\(LocalDate.pad(y % 100, 2))\(LocalDate.pad(m, 2))\(LocalDate.pad(d, 2))-\(LocalDate.pad(sequence, 4))"
    }

    /// The day key used for the per-agency sequence: `yyMMdd`.
    public static func dayKey(_ date: LocalDate) -> String {
        let (y, m, d) = date.components
        return "\(LocalDate.pad(y % 100, 2))\(LocalDate.pad(m, 2))\(LocalDate.pad(d, 2))"
    }

    /// The most codes one agency can issue in a day.
    public static let dailyLimit = 9_999
}
