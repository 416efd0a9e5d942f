package tw.mpos.core

import uniffi.mpos_core.FieldId
import uniffi.mpos_core.Intent
import uniffi.mpos_core.SignaturePoint

/** What a drawn screen can send back to the core; nothing else leaves a screen. */
interface ScreenActions {
    /** A button or an option was pressed. */
    fun press(intent: Intent)

    /** An input's text changed. */
    fun edit(field: FieldId, text: String)

    /** One signature stroke, pen down to pen up, in a 0..1000 square. */
    fun addStroke(points: List<SignaturePoint>)
}
