import Foundation
import MotCuaConfig

extension SeedLoader {
    /// The demo presets of `Seeds/demo-profiles.json` (`motcua seed --demo N --preset ID`), each
    /// checked; without the file, the built-in standard profile alone.
    public static func loadDemoProfiles(from directory: URL) throws(SeedError) -> [DemoProfile] {
        struct File: Decodable { var profiles: [DemoProfile] }
        let url = directory.appendingPathComponent("demo-profiles.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return [.standard] }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch {
            throw SeedError(file: "Seeds/demo-profiles.json", entry: "-", reason: "\(error)")
        }
        for profile in file.profiles {
            if let problem = profile.problems().first { throw SeedError(file: "Seeds/demo-profiles.json", entry: profile.id, reason: problem) }
        }
        return file.profiles
    }
}
