// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "MotCua",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "motcua", targets: ["motcua"]),
        .library(name: "MotCuaCore", targets: ["MotCuaCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The domain: pure Swift, Foundation at most, no I/O.
        .target(name: "MotCuaCore"),
        // Reads `Config/` from disk and turns it into validated Core values.
        .target(name: "MotCuaConfig", dependencies: ["MotCuaCore"]),
        .executableTarget(
            name: "motcua",
            dependencies: [
                "MotCuaCore",
                "MotCuaConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "CalendarBenchmark",
            dependencies: ["MotCuaCore", "MotCuaConfig"],
            path: "Benchmarks/CalendarBenchmark"
        ),
        .testTarget(name: "MotCuaCoreTests", dependencies: ["MotCuaCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MotCuaConfigTests", dependencies: ["MotCuaConfig"]),
        .testTarget(name: "MotCuaCLITests", dependencies: ["motcua"]),
    ],
    swiftLanguageModes: [.v6]
)
