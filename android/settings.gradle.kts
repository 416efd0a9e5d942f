// The Android shell: `gradle :app:assembleDebug` (Android SDK, NDK and
// cargo-ndk installed; docs/mobile.md). Versions: gradle/libs.versions.toml,
// the same list android/test.sh builds and tests with on CI.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "mpos"

// core: the Rust core (bindings, library) and the session glue; ui: the
// Compose screens (no android.* API); app: the activity and platform glue;
// desktop: the same screens on the desktop JVM, drawn to PNG.
include(":core", ":ui", ":app", ":desktop")
