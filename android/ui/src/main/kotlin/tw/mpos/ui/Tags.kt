package tw.mpos.ui

import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent

/** Test tags: how UI tests find an input or a button without reading its (translated) words. */
object Tags {
    /** The input of [field]. */
    fun input(field: FieldId): String = "input:${field.name}"

    /** The button or option that sends [intent]. */
    fun intent(intent: Intent): String = when (intent) {
        is Intent.OpenTransaction -> "intent:OpenTransaction:${intent.id}"
        is Intent.ChooseBrand -> "intent:ChooseBrand:${intent.brand.name}"
        is Intent.PinKey -> "intent:PinKey:${intent.key}"
        else -> "intent:${intent::class.simpleName}"
    }

    /** The pre-shift check's line at [index]. */
    fun check(index: Int): String = "check:$index"

    /** The screen's root. */
    const val SCREEN = "screen"

    /** The message banner. */
    const val MESSAGE = "message"

    /** The signature pad. */
    const val SIGNATURE_PAD = "signature-pad"

    /** The QR code. */
    const val QR = "qr"

    /** The PIN pad's dots. */
    const val PIN_DOTS = "pin-dots"
}
