// The Rust core for Kotlin: the UniFFI bindings (generated from the host
// build, never committed), the native library per ABI (cargo-ndk), and the
// session glue and audio pump. Test fixtures: the test world's client and
// the virtual reader (its own library, mpos-ffi-testing).
plugins {
    alias(libs.plugins.android.library)
}

val workspace: File = rootDir.parentFile
val generated = layout.buildDirectory.dir("generated/uniffi")

android {
    namespace = "tw.mpos.core"
    compileSdk = libs.versions.compileSdk.get().toInt()
    defaultConfig {
        minSdk = libs.versions.minSdk.get().toInt()
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets {
        getByName("main") {
            kotlin.srcDir(generated.map { it.dir("main") })
            jniLibs.srcDir(layout.buildDirectory.dir("rust/jniLibs"))
        }
        getByName("testFixtures") {
            kotlin.srcDir(generated.map { it.dir("testing") })
        }
    }
    testFixtures { enable = true }
    testOptions { unitTests.all { test ->
        // The JVM suite: the host-built libraries and the test world.
        test.dependsOn(hostLibraries)
        test.systemProperty("jna.library.path", "$workspace/target/debug")
        test.systemProperty("mpos.testbed", "$workspace/target/debug/mpos-testbed")
    } }
}

dependencies {
    implementation("${libs.jna.get()}@aar")
    implementation(libs.kotlinx.coroutines.core)
    testFixturesImplementation(libs.jna)
    testFixturesImplementation(libs.kotlinx.coroutines.core)
    testImplementation(libs.jna)
    testImplementation(libs.junit)
}

/** The host build (unstripped: bindgen reads its metadata) and the test world. */
val hostLibraries by tasks.registering(Exec::class) {
    workingDir = workspace
    commandLine(
        "sh", "-c",
        "cargo build -p mpos-ffi -p mpos-ffi-testing -p mpos-uniffi-bindgen && " +
            "cargo build -p mpos-gateway -p mpos-e2e --bins",
    )
}

/** Kotlin bindings in library mode: the app's, and the virtual reader's for the fixtures. */
val generateBindings by tasks.registering(Exec::class) {
    dependsOn(hostLibraries)
    workingDir = workspace
    val out = generated.get().asFile
    commandLine(
        "sh", "-c",
        "target/debug/uniffi-bindgen generate target/debug/libmpos_ffi.so --language kotlin --out-dir $out/main && " +
            "target/debug/uniffi-bindgen generate target/debug/libmpos_ffi_testing.so --language kotlin --out-dir $out/testing",
    )
    outputs.dir(out)
}

/** The phone's library for each ABI, optimised for size (docs/mobile.md: cargo-ndk and the NDK). */
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = workspace
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "-P", libs.versions.minSdk.get(),
        "-o", layout.buildDirectory.dir("rust/jniLibs").get().asFile.path,
        "build", "--release", "-p", "mpos-ffi",
    )
}

tasks.named("preBuild") { dependsOn(generateBindings, cargoNdk) }
