package tw.mpos.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.PinPadView
import uniffi.mpos_core.ScreenView

/** The cardholder enters the PIN on the reader's keypad. */
@Composable
fun PinEntryScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Fields(view.fields)
    Prompt(view.prompt)
    PinPad(view.pinPad, actions)
    Buttons(view.buttons, actions)
}

/** The issuer said the PIN was wrong: another try, or home. */
@Composable
fun WrongPinScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Fields(view.fields)
    Buttons(view.buttons, actions)
}

/** Keys per row of the PIN pad; the tenth key sits alone, centred, in the fourth row. */
private const val KEYS_PER_ROW = 3

/**
 * The reader's keys in the reader's order, in rows of three, and one dot
 * per digit entered. A key sends only its position: the shell never knows
 * which digit the cardholder meant.
 */
@Composable
fun PinPad(pad: PinPadView?, actions: ScreenActions) {
    pad ?: return
    Text(pad.label, color = Color(0xFF5F6368), fontSize = 15.sp)
    Text(
        pad.dots.ifEmpty { " " },
        fontSize = 32.sp,
        textAlign = TextAlign.Center,
        modifier = Modifier.fillMaxWidth().padding(vertical = 6.dp).testTag(Tags.PIN_DOTS),
    )
    pad.keys.chunked(KEYS_PER_ROW).forEach { row ->
        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(12.dp, androidx.compose.ui.Alignment.CenterHorizontally)) {
            row.forEach { key -> ActionButton(key, actions, Modifier.width(96.dp).height(56.dp)) }
        }
    }
}
