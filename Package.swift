// swift-tools-version: 6.0
import PackageDescription

/// OpenBLAS reaches the library through a system-library target on Linux; on
/// Apple platforms the library uses Accelerate instead (`#if canImport(Accelerate)`).
let package = Package(
    name: "xLSTM",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "xLSTM", targets: ["xLSTM"]),
        .executable(name: "xlstm", targets: ["xlstm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "xLSTM",
            dependencies: [
                .product(name: "Numerics", package: "swift-numerics"),
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
            ]
        ),
        .executableTarget(
            name: "xlstm",
            dependencies: [
                "xLSTM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "sine-regression",
            dependencies: ["xLSTM"],
            path: "Examples/SineRegression"
        ),
        .testTarget(
            name: "xLSTMTests",
            dependencies: ["xLSTM"],
            resources: [.copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
