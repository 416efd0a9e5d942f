// The Compose screens: every KGI mPOS screen, drawn from the core's view
// model. No android.* API, so the same sources compile for the desktop JVM
// (:desktop) with Compose Multiplatform.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "tw.mpos.ui"
    compileSdk = libs.versions.compileSdk.get().toInt()
    defaultConfig { minSdk = libs.versions.minSdk.get().toInt() }
    buildFeatures { compose = true }
}

dependencies {
    api(project(":core"))
    implementation(libs.androidx.compose.foundation)
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.material3)
}
