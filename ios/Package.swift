// swift-tools-version:5.9
// The iOS shell of mpos as a Swift package: the bindings generated from the
// Rust library (never committed: `tools/bindings.sh` writes them into
// build/generated), the platform-neutral shell (MposKit, built and tested
// on Linux too), the SwiftUI screens (MposUI) and the iOS glue (MposPhone).
// The Xcode app in App/ (XcodeGen) is a thin @main over these.
import Foundation
import PackageDescription

let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let environment = ProcessInfo.processInfo.environment

/// The iOS libraries `tools/build_xcframework.sh` builds (device and simulator), for the app.
let xcframework = "build/MposRust.xcframework"

/// Where the host-built Rust libraries are, for `swift test` on Linux or a Mac:
/// `MPOS_RUST_LIB_DIR` (ios/test.sh sets it), else the workspace's debug build.
let hostLibraries = environment["MPOS_RUST_LIB_DIR"] ?? "\(packageDirectory)/../target/debug"

/// The app links the xcframework when it has been built and no host libraries were asked for.
let linksXCFramework = environment["MPOS_RUST_LIB_DIR"] == nil
    && FileManager.default.fileExists(atPath: "\(packageDirectory)/\(xcframework)")

/// Links one host-built Rust library (`lib<name>.so` or `.dylib`), found again at run time.
func hostLibrary(_ name: String) -> [LinkerSetting] {
    [
        .linkedLibrary(name),
        .unsafeFlags(["-L\(hostLibraries)", "-Xlinker", "-rpath", "-Xlinker", hostLibraries]),
    ]
}

/// The Rust library of the app: the xcframework on iOS (static: it needs no
/// system framework, its TLS being rustls on ring), the host build for tests.
let appLibrary: (dependencies: [Target.Dependency], linker: [LinkerSetting]) = linksXCFramework
    ? (["MposRust"], [])
    : ([], hostLibrary("mpos_ffi"))

var targets: [Target] = [
    // The C declarations of the app's library, as UniFFI generated them.
    .systemLibrary(name: "MposFFI", path: "build/generated/MposFFI"),
    // The Swift bindings of the app's library (mpos_core's view model, mpos_ffi's objects).
    .target(
        name: "MposBindings",
        dependencies: ["MposFFI"] + appLibrary.dependencies,
        path: "build/generated/MposBindings",
        linkerSettings: appLibrary.linker
    ),
    // The audio thread's C pieces: the library's block entry and a lock-free sample FIFO.
    .target(name: "MposAudioC", path: "Sources/MposAudioC"),
    // Everything the shell decides, for any platform: session, audio pump, route, permission, display.
    .target(name: "MposKit", dependencies: ["MposBindings", "MposAudioC"], path: "Sources/MposKit"),
    // The SwiftUI screens, drawing only the core's ScreenView (compiled empty without SwiftUI).
    .target(name: "MposUI", dependencies: ["MposBindings", "MposKit"], path: "Sources/MposUI"),
    // The iOS glue: AVAudioSession and AVAudioEngine, route changes, the microphone, the idle timer.
    .target(name: "MposPhone", dependencies: ["MposBindings", "MposKit", "MposUI"], path: "Sources/MposPhone"),
]

/// The tests' side, when the virtual reader's bindings were generated (a host build, not the app's).
let testsGenerated = FileManager.default.fileExists(atPath: "\(packageDirectory)/build/generated/MposTestingBindings")
if testsGenerated {
    targets += [
        // The virtual reader's library and its bindings, and the test world's client.
        .systemLibrary(name: "MposTestingFFI", path: "build/generated/MposTestingFFI"),
        .target(
            name: "MposTestingBindings",
            dependencies: ["MposTestingFFI"],
            path: "build/generated/MposTestingBindings",
            linkerSettings: hostLibrary("mpos_ffi_testing")
        ),
        .target(name: "MposTestingC", path: "Tests/MposTestingC"),
        .target(
            name: "MposTestSupport",
            dependencies: ["MposKit", "MposTestingBindings", "MposTestingC"],
            path: "Tests/MposTestSupport"
        ),
        .testTarget(name: "MposKitTests", dependencies: ["MposKit", "MposTestSupport"], path: "Tests/MposKitTests"),
    ]
}
if linksXCFramework {
    targets.append(.binaryTarget(name: "MposRust", path: xcframework))
}

let package = Package(
    name: "Mpos",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "MposKit", targets: ["MposKit"]),
        .library(name: "MposUI", targets: ["MposUI"]),
        .library(name: "MposPhone", targets: ["MposPhone"]),
    ],
    targets: targets
)
