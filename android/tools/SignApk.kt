import com.android.apksig.ApkSigner
import com.android.apksig.ApkVerifier
import java.io.File
import java.security.KeyStore
import java.security.PrivateKey
import java.security.cert.X509Certificate
import kotlin.system.exitProcess

/** Signs an APK (v2 and v3) with a PKCS#12 key and verifies it: KEYSTORE PASSWORD ALIAS IN OUT MIN_SDK. */
fun main(args: Array<String>) {
    val (keystore, password, alias, input, output) = args
    val minSdk = args[5].toInt()
    val store = KeyStore.getInstance("PKCS12").apply { File(keystore).inputStream().use { load(it, password.toCharArray()) } }
    val key = store.getKey(alias, password.toCharArray()) as PrivateKey
    val certificate = store.getCertificate(alias) as X509Certificate
    val signer = ApkSigner.SignerConfig.Builder("mpos", key, listOf(certificate)).build()
    ApkSigner.Builder(listOf(signer)).setInputApk(File(input)).setOutputApk(File(output))
        .setMinSdkVersion(minSdk).setV1SigningEnabled(false).setV2SigningEnabled(true).setV3SigningEnabled(true)
        .build().sign()
    val result = ApkVerifier.Builder(File(output)).build().verify()
    println("signed: verified=${result.isVerified} v2=${result.isVerifiedUsingV2Scheme} v3=${result.isVerifiedUsingV3Scheme}")
    if (!result.isVerified) {
        result.errors.forEach { println(it) }
        exitProcess(1)
    }
}
