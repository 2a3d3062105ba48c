// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "MotCua",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "motcua", targets: ["motcua"]),
        .executable(name: "notify-sim", targets: ["notify-sim"]),
        .executable(name: "postal-sim", targets: ["postal-sim"]),
        .executable(name: "portal-sim", targets: ["portal-sim"]),
        .executable(name: "signing-sim", targets: ["signing-sim"]),
        .library(name: "MotCuaCore", targets: ["MotCuaCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // The domain: pure Swift, Foundation at most, no I/O.
        .target(name: "MotCuaCore"),
        // The fast JSON writer and reader the store and the server use (Foundation's coders are
        // the reference their tests compare with).
        .target(name: "MotCuaJSON"),
        // The wire contracts: what MotCua and its partners (the post office, the national portal,
        // the notification gateway) send each other, and the Standard Webhooks signature.
        .target(name: "MotCuaAPI", dependencies: ["MotCuaCore", "MotCuaJSON", .product(name: "Crypto", package: "swift-crypto")]),
        // The officer API's typed client, for the terminal client and anyone scripting the API.
        .target(name: "MotCuaClient", dependencies: ["MotCuaAPI"]),
        // Reads `Config/` from disk and turns it into validated Core values.
        .target(name: "MotCuaConfig", dependencies: ["MotCuaCore"]),
        // Persistence behind one protocol: SQLite through GRDB.
        .target(
            name: "MotCuaStore",
            dependencies: [
                "MotCuaCore", "MotCuaJSON", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The PostgreSQL implementation of the store protocols: a province's deployment.
        .target(
            name: "MotCuaPostgres",
            dependencies: [
                "MotCuaCore", "MotCuaStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The store's SQLite VFS: the platform's, with a commit's log frames written in one call.
        // The demo: dossiers generated through the real lifecycle, their profiles, sample facts
        // for the statistics' tests and benchmarks.
        .target(
            name: "MotCuaDemo",
            dependencies: [
                "MotCuaCore", "MotCuaAPI", "MotCuaConfig", "MotCuaStore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP application: officer API, forms, health, OpenAPI document.
        .target(
            name: "MotCuaServer",
            dependencies: [
                "MotCuaCore", "MotCuaAPI", "MotCuaConfig", "MotCuaDemo", "MotCuaJSON", "MotCuaStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "motcua",
            dependencies: [
                "MotCuaCore",
                "MotCuaAPI",
                "MotCuaClient",
                "MotCuaDemo",
                "MotCuaJSON",
                "MotCuaConfig",
                "MotCuaStore",
                "MotCuaPostgres",
                "MotCuaServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Stand-ins for the partners (the notification gateway, the post office), for tests, local runs and demos.
        .target(
            name: "MotCuaSim",
            dependencies: [
                "MotCuaCore", "MotCuaAPI", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "signing-sim",
            dependencies: [
                "MotCuaSim", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "notify-sim",
            dependencies: [
                "MotCuaSim", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "portal-sim",
            dependencies: [
                "MotCuaSim", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "postal-sim",
            dependencies: [
                "MotCuaSim", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "CalendarBenchmark",
            dependencies: ["MotCuaCore", "MotCuaConfig", "MotCuaDemo"],
            path: "Benchmarks/CalendarBenchmark"
        ),
        .executableTarget(
            name: "WatchBenchmark",
            dependencies: ["MotCuaCore", "MotCuaDemo", "MotCuaStore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/WatchBenchmark"
        ),
        .executableTarget(
            name: "HistoryBenchmark",
            dependencies: [
                "MotCuaCore", "MotCuaConfig", "MotCuaDemo", "MotCuaStore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/HistoryBenchmark"
        ),
        .executableTarget(
            name: "StatsBenchmark",
            dependencies: ["MotCuaCore", "MotCuaDemo", "MotCuaStore", "MotCuaPostgres"],
            path: "Benchmarks/StatsBenchmark"
        ),
        .executableTarget(
            name: "StoreIntakeBenchmark",
            dependencies: ["MotCuaCore", "MotCuaConfig", "MotCuaJSON", "MotCuaStore"],
            path: "Benchmarks/StoreIntakeBenchmark"
        ),
        .executableTarget(
            name: "SigningBenchmark",
            dependencies: [
                "MotCuaCore", "MotCuaAPI", "MotCuaConfig", "MotCuaStore", "MotCuaServer", .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/SigningBenchmark"
        ),
        // Scratch files for the tests, removed when the test process exits.
        .target(name: "MotCuaTestSupport", path: "Tests/MotCuaTestSupport"),
        // The JSON of Core's types is written by MotCuaJSON through conformances in MotCuaStore.
        .testTarget(name: "MotCuaCoreTests", dependencies: ["MotCuaCore", "MotCuaDemo", "MotCuaJSON", "MotCuaStore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MotCuaJSONTests", dependencies: ["MotCuaJSON", "MotCuaCore"]),
        .testTarget(name: "MotCuaAPITests", dependencies: ["MotCuaAPI", "MotCuaClient", "MotCuaCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "MotCuaConfigTests", dependencies: ["MotCuaConfig", "MotCuaDemo", "MotCuaTestSupport"]),
        .testTarget(name: "MotCuaStoreTests", dependencies: ["MotCuaStore", "MotCuaPostgres", "MotCuaConfig", "MotCuaDemo", "MotCuaTestSupport"]),
        .testTarget(
            name: "MotCuaServerTests",
            dependencies: [
                "MotCuaServer", "MotCuaAPI", "MotCuaClient", "MotCuaStore", "MotCuaConfig", "MotCuaSim", "MotCuaTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The forms' golden files, read from the source tree by `FormSetTests`.
            exclude: ["Golden"]),
        .testTarget(
            name: "MotCuaCLITests",
            dependencies: [
                "motcua", "postal-sim", "portal-sim", "MotCuaPostgres", "MotCuaTestSupport", "MotCuaAPI",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
