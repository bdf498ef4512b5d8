// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "abusedesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "abusedesk", targets: ["abusedesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The domain: report model, taxonomy, validation, routing, ids. No HTTP, no database.
        .target(
            name: "AbuseDeskCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/taxonomy.json"), .copy("Resources/Mail")]
        ),
        // The Vapor application over the domain: interfaces, persistence, background work.
        .target(
            name: "AbuseDesk",
            dependencies: [
                "AbuseDeskCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/Views"), .copy("Resources/Public")]
        ),
        .executableTarget(
            name: "abusedesk",
            dependencies: ["AbuseDesk"]
        ),
        .testTarget(
            name: "AbuseDeskCoreTests",
            dependencies: ["AbuseDeskCore"]
        ),
        .testTarget(
            name: "AbuseDeskTests",
            dependencies: [
                "AbuseDesk",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
