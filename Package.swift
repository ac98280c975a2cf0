// swift-tools-version:6.1
import PackageDescription

/// Every Swift target is built in Swift 6 language mode with complete concurrency checking.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

/// Detection's kernels run on 8-lane `SIMD8<Float>`; compiled for the baseline x86-64 (SSE2) each becomes two 4-lane
/// operations. On x86-64 the module is built for the Haswell feature level (x86-64-v3: AVX2; Intel 2013+, AMD Zen+),
/// which halves autoencoder training time. Results are bit-identical either way: Swift never contracts a multiply
/// and an add into an FMA. Set `TXAD_TARGET_CPU` to build for another CPU (`x86-64` for pre-AVX2 machines).
let detectionSettings: [SwiftSetting] = {
    #if arch(x86_64)
    let cpu = Context.environment["TXAD_TARGET_CPU"] ?? "haswell"
    return strict + [.unsafeFlags(["-target-cpu", cpu])]
    #else
    return strict
    #endif
}()

let package = Package(
    name: "txad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "txad", targets: ["txad"]),
        .executable(name: "txad-gateway", targets: ["txad-gateway"]),
        .executable(name: "txad-preprocessing", targets: ["txad-preprocessing"]),
        .executable(name: "txad-inference", targets: ["txad-inference"]),
        .executable(name: "txad-alerts", targets: ["txad-alerts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
                .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // ---- C libraries (system) and the protoc-c output ----
        .systemLibrary(
            name: "CProtobufC", path: "Shared/CProtobufC", pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"]), .brew(["protobuf-c"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
        .systemLibrary(
            name: "CHiredis", path: "Shared/CHiredis", pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]),
        .systemLibrary(
            name: "CZlib", path: "Shared/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "CTxadProto", dependencies: ["CProtobufC"], path: "Shared/CTxadProto"),

        // ---- Shared libraries ----
        .target(name: "Domain", path: "Shared/Domain", swiftSettings: strict),
        .target(
            name: "Wire",
            dependencies: [
                "Domain", "CTxadProto", "CProtobufC",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Wire", swiftSettings: strict),
        .target(
            name: "Detection", dependencies: ["Domain", "CZlib"], path: "Shared/Detection",
            swiftSettings: detectionSettings),
        .target(
            name: "Stores",
            dependencies: [
                "CLibPQ", "CHiredis",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Stores", swiftSettings: strict),
        .target(
            name: "EmbeddedStores",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Shared/EmbeddedStores", swiftSettings: strict),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Domain", "Wire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Shared/ServiceKit", swiftSettings: strict),

        .target(
            name: "Registry", dependencies: ["Detection", "Stores", "Domain"], path: "Shared/Registry",
            swiftSettings: strict),
        .target(
            name: "Credentials",
            dependencies: ["Stores", .product(name: "Crypto", package: "swift-crypto")],
            path: "Shared/Credentials", swiftSettings: strict),
        .target(
            name: "Tracking",
            dependencies: [
                "Detection",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Shared/Tracking", swiftSettings: strict),

        .target(
            name: "Auth",
            dependencies: [
                "ServiceKit", "Credentials", "Stores",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Shared/Auth", swiftSettings: strict),

        .target(
            name: "Notifications",
            dependencies: [
                "Domain",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Shared/Notifications", swiftSettings: strict),
        .target(
            name: "HTTPSink",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Shared/HTTPSink", swiftSettings: strict),
        .target(
            name: "Dashboard",
            dependencies: [
                "Auth", "Detection", "Domain", "ServiceKit", "Stores",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Shared/Dashboard", resources: [.copy("Resources")], swiftSettings: strict),

        // ---- Services (libraries) and their thin executables ----
        .target(
            name: "PreprocessingService",
            dependencies: [
                "ServiceKit", "Wire", "Detection", "Stores", "Domain",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Preprocessing", swiftSettings: strict),
        .target(
            name: "InferenceService",
            dependencies: [
                "ServiceKit", "Wire", "Detection", "Domain", "Registry", "Stores",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Inference", swiftSettings: strict),
        .target(
            name: "AlertsService",
            dependencies: [
                "ServiceKit", "Wire", "Stores", "Domain", "Registry", "Notifications", "Credentials",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Services/Alerts", swiftSettings: strict),
        .target(
            name: "GatewayService",
            dependencies: [
                "ServiceKit", "Wire", "Stores", "Domain", "Detection", "Auth", "Registry", "Dashboard",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Services/Gateway", resources: [.copy("Resources/openapi.json")], swiftSettings: strict),
        .target(
            name: "TxadCLI",
            dependencies: [
                "Wire", "Detection", "Stores", "EmbeddedStores", "ServiceKit", "Registry", "Notifications", "HTTPSink",
                "Credentials", "Tracking", "Auth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Services/CLI", swiftSettings: strict),
        .executableTarget(
            name: "txad-gateway",
            dependencies: ["GatewayService", "ServiceKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Executables/txad-gateway", swiftSettings: strict),
        .executableTarget(
            name: "txad-preprocessing",
            dependencies: ["PreprocessingService", "ServiceKit", "Stores", "Detection", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Executables/txad-preprocessing", swiftSettings: strict),
        .executableTarget(
            name: "txad-inference",
            dependencies: [
                "InferenceService", "ServiceKit", "Wire", "Registry", "Stores",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/Executables/txad-inference", swiftSettings: strict),
        .executableTarget(
            name: "txad-alerts",
            dependencies: ["AlertsService", "ServiceKit", "Stores", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Executables/txad-alerts", swiftSettings: strict),
        .executableTarget(
            name: "txad", dependencies: ["TxadCLI"],
            path: "Services/Executables/txad", swiftSettings: strict),

        // ---- Fuzzing: `make fuzz` builds txad-fuzz with libFuzzer; `make test` replays its corpus ----
        .target(name: "CFuzzerSupport", path: "Fuzz/CFuzzerSupport"),
        .executableTarget(
            name: "txad-fuzz", dependencies: ["Wire", "Detection", "GatewayService", "CFuzzerSupport"],
            path: "Fuzz/txad-fuzz", swiftSettings: strict),

        // ---- Tests ----
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire", "EmbeddedStores", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DetectionTests", dependencies: ["Detection"], swiftSettings: strict),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "GatewayService", "Domain", "Registry", "Stores", "EmbeddedStores", "Auth", "Credentials", "Wire",
                "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "DashboardTests",
            dependencies: [
                "Dashboard", "Detection", "Domain", "Auth", "Stores", "EmbeddedStores",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Detection", "Domain", "Registry", "Stores", "EmbeddedStores", "HTTPSink", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "PreprocessingTests",
            dependencies: ["PreprocessingService", "Detection", "Domain", "Stores", "EmbeddedStores", "Wire"],
            swiftSettings: strict),
        .testTarget(
            name: "InferenceTests", dependencies: ["InferenceService", "Detection", "Domain", "Wire"],
            swiftSettings: strict),
        .testTarget(
            name: "AlertsTests",
            dependencies: [
                "AlertsService", "Domain", "Registry", "Stores", "EmbeddedStores", "Wire", "Notifications", "HTTPSink",
                "TestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "NotificationsTests", dependencies: ["Notifications", "HTTPSink", "Domain", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "StoresTests", dependencies: ["Stores", "EmbeddedStores"], swiftSettings: strict),
        .testTarget(
            name: "LifecycleTests",
            dependencies: [
                "InferenceService", "Registry", "Detection", "Domain", "Stores", "EmbeddedStores", "Wire", "TestSupport",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "RegistryTests", dependencies: ["Registry", "Detection", "Domain", "Stores", "EmbeddedStores", "TestSupport"],
            swiftSettings: strict),
        .target(
            name: "TestSupport",
            dependencies: [
                "Registry", "Detection", "Domain", "Stores", "EmbeddedStores",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "TrackingTests",
            dependencies: [
                "Tracking", "Detection", "Domain", "EmbeddedStores", "Registry", "Stores", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "AuthTests",
            dependencies: [
                "Auth", "Credentials", "Stores", "EmbeddedStores", "HTTPSink", "ServiceKit", "TestSupport",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
