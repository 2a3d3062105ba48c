import Foundation
import MotCuaTestSupport
import Testing

/// A backup that was damaged in storage or in transit must never be restored half-way: each
/// kind of damage is refused in one sentence, and the new data directory is left empty.
@Suite("Damaged backups are refused", .serialized)
struct DamagedBackupTests {
    /// A small seeded data directory and its backup.
    static func archive() throws -> (archive: URL, scratch: URL) {
        let scratch = TestScratch.path("motcua-damaged-backup")
        let data = scratch.appendingPathComponent("data")
        let seeded = try motcua(["seed", "--demo", "12", "--data-dir", data.path], environment: ["MOTCUA_BCRYPT_COST": "4"])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let archive = scratch.appendingPathComponent("backup.tar")
        let backup = try motcua(["backup", "--data-dir", data.path, "--to", archive.path])
        #expect(backup.status == 0, "\(backup.stderr)")
        return (archive, scratch)
    }

    func restore(_ bytes: Data, named name: String, in scratch: URL) throws -> (CommandResult, [String]) {
        let file = scratch.appendingPathComponent(name + ".tar")
        try bytes.write(to: file)
        let target = scratch.appendingPathComponent("restored-" + name)
        let result = try motcua(["restore", "--from", file.path, "--data-dir", target.path])
        let left = (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? []
        return (result, left)
    }

    @Test("A flipped byte in the database, a cut archive, a stray entry: each refused, nothing left in the new directory")
    func damage() throws {
        let (archive, scratch) = try Self.archive()
        let original = try Data(contentsOf: archive)

        // The intact archive restores (the control case).
        let (intact, intactFiles) = try restore(original, named: "intact", in: scratch)
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intactFiles.contains("motcua.sqlite"))

        // A byte of the database changed: its checksum no longer matches the manifest.
        let magic = Data("SQLite format 3\u{0}".utf8)
        let start = try #require(original.range(of: magic)?.lowerBound)
        var flipped = original
        flipped[start + 4_000] ^= 0xFF
        let (changed, changedFiles) = try restore(flipped, named: "flipped", in: scratch)
        #expect(changed.status == 65 && changed.stderr.contains("Bản sao lưu hỏng"), "\(changed.stderr)")
        #expect(changedFiles.isEmpty, "\(changedFiles)")

        // Cut in the middle of an entry.
        let (cut, cutFiles) = try restore(original.prefix(original.count / 2), named: "cut", in: scratch)
        #expect(cut.status == 65 && cut.stderr.contains("Bản sao lưu hỏng"), "\(cut.stderr)")
        #expect(cutFiles.isEmpty)

        // Not a backup at all.
        let (junk, junkFiles) = try restore(Data("không phải tệp sao lưu".utf8), named: "junk", in: scratch)
        #expect(junk.status == 65 && junkFiles.isEmpty, "\(junk.stderr)")

        // Nothing at the path: a missing input (66), said in one sentence.
        let missing = try motcua(["restore", "--from", scratch.appendingPathComponent("none.tar").path, "--data-dir", scratch.appendingPathComponent("r").path])
        #expect(missing.status == 66 && missing.stderr.contains("none.tar"))
    }
}
