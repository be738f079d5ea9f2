// swift-tools-version: 6.0
import PackageDescription

/// The layers, lowest first; each depends only on the ones above it in this
/// list, and the compiler enforces that direction:
///
/// - `CTargetFeatures`: a header of the compiler's target macros (vector
///   registers, FMA) for the SIMD kernels.
/// - `CBLAS`: the module map of Debian's OpenBLAS (Linux; Apple platforms use Accelerate).
/// - `CXSMM`: the module map of Debian's libxsmm (x86-64 Linux), the per-step
///   product of a build for the x86-64 baseline.
/// - `xLSTMTensor`: tensors, shapes, operations, the gradient engine, the BLAS
///   binding, worker threads and SIMD math.
/// - `xLSTMNN`: the training toolkit (Module, layers, losses, optimizers, schedules).
/// - `xLSTM`: the sLSTM family and the models built on it; re-exports the two
///   lower layers, so `import xLSTM` is all a user writes.
/// - `xLSTMCLI`: the `xlstm` command-line tool.
let package = Package(
    name: "xLSTM",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "xLSTM", targets: ["xLSTM"]),
        .executable(name: "xlstm", targets: ["xLSTMCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/vapor/console-kit", from: "4.16.2"),
    ],
    targets: [
        // A header of the compiler's target macros, no code: which vector
        // registers the build may use and whether it has FMA, for the
        // kernels' register blocking and multiply-adds.
        .systemLibrary(name: "CTargetFeatures"),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CXSMM",
            providers: [.apt(["libxsmm-dev"])]
        ),
        .target(
            name: "xLSTMTensor",
            dependencies: [
                .product(name: "Numerics", package: "swift-numerics"),
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
                "CTargetFeatures",
            ]
        ),
        .target(name: "xLSTMNN", dependencies: ["xLSTMTensor"]),
        .target(
            name: "xLSTM",
            dependencies: [
                "xLSTMTensor", "xLSTMNN", "CTargetFeatures",
                .target(name: "CXSMM", condition: .when(platforms: [.linux])),
            ]
        ),
        .executableTarget(
            name: "xLSTMCLI",
            dependencies: [
                "xLSTM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ConsoleKitTerminal", package: "console-kit"),
            ]
        ),
        .executableTarget(
            name: "sine-regression",
            dependencies: ["xLSTM"],
            path: "Examples/SineRegression"
        ),
        .executableTarget(
            name: "streaming-tbptt",
            dependencies: ["xLSTM"],
            path: "Examples/StreamingTBPTT"
        ),
        .executableTarget(
            name: "language-model",
            dependencies: ["xLSTM"],
            path: "Examples/LanguageModel"
        ),
        // A program that trips each kind of trap; the release-build message
        // tests run it (built with `-c release`) and read its standard error.
        .executableTarget(
            name: "trap-probe",
            dependencies: ["xLSTM"],
            path: "Tests/TrapProbe"
        ),
        // The safetensors reader under libFuzzer (scripts/fuzz-safetensors.sh).
        .executableTarget(
            name: "safetensors-fuzzer",
            dependencies: ["xLSTMNN"],
            path: "Tests/SafeTensorsFuzzer"
        ),
        .target(name: "TestSupport", dependencies: ["xLSTMTensor"], path: "Tests/TestSupport"),
        .testTarget(name: "xLSTMTensorTests", dependencies: ["xLSTMTensor", "TestSupport"]),
        .testTarget(
            name: "xLSTMNNTests",
            dependencies: ["xLSTMNN", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "xLSTMTests",
            dependencies: ["xLSTM", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        // Builds the release programs and checks what a user of them sees.
        .testTarget(name: "xLSTMReleaseTests"),
        // Imports only the public module, as a user's package does.
        .testTarget(name: "xLSTMPublicAPITests", dependencies: ["xLSTM"]),
    ],
    swiftLanguageModes: [.v6]
)
