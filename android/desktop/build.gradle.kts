// The same Compose screens on the desktop JVM: `gradle :desktop:run`
// draws every screen, in both languages, from a merchant's day into
// docs/screens (the test world and the host libraries must be built).
plugins {
    alias(libs.plugins.kotlin.jvm)
    alias(libs.plugins.kotlin.compose)
    alias(libs.plugins.compose.multiplatform)
    application
}

val workspace: File = rootDir.parentFile

kotlin {
    sourceSets["main"].kotlin.srcDirs(
        "../core/src/main/kotlin",
        "../core/src/testFixtures/kotlin",
        "../ui/src/main/kotlin",
        "../core/build/generated/uniffi/main",
        "../core/build/generated/uniffi/testing",
    )
}

dependencies {
    implementation(compose.desktop.currentOs)
    implementation(compose.material3)
    implementation(libs.jna)
    implementation(libs.kotlinx.coroutines.core)
}

application {
    mainClass.set("tw.mpos.desktop.RenderScreensKt")
    applicationDefaultJvmArgs = listOf(
        "-Djava.awt.headless=true",
        "-Djna.library.path=$workspace/target/debug",
        "-Dmpos.testbed=$workspace/target/debug/mpos-testbed",
    )
}

tasks.named<JavaExec>("run") {
    workingDir = workspace
    args("docs/screens")
}
