package tw.mpos.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.CornerRadius
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenView

/** Amount and card brand (sale or refund). */
@Composable
fun AmountScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Inputs(view, actions)
    Fields(view.fields)
    Choice(view.choice, actions, enabled = view.busy == null)
    Buttons(view.buttons, actions)
}

/** Refund: the original transaction's authorization code. */
@Composable
fun RefundAuthCodeScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Fields(view.fields)
    Inputs(view, actions)
    Buttons(view.buttons, actions)
}

/** Insert or swipe the card: a card and its chip, the instruction, the amount. */
@Composable
fun PresentCardScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    CardPicture()
    Prompt(view.prompt)
    Fields(view.fields)
    Buttons(view.buttons, actions)
}

/** Waiting for the bank. */
@Composable
fun AuthorizingScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
    Fields(view.fields)
}

/** No answer: the transaction is being cancelled (never shown as a result). */
@Composable
fun OutcomeUnknownScreen(view: ScreenView, actions: ScreenActions) = InstructionScreen(view, actions)

/** The issuer declined. */
@Composable
fun DeclinedScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Fields(view.fields)
    Buttons(view.buttons, actions)
}

/** A card with its chip, inserted top first. */
@Composable
private fun CardPicture() {
    Canvas(Modifier.fillMaxWidth().height(120.dp)) {
        val width = size.height * 1.58f
        val left = (size.width - width) / 2
        drawRoundRect(Color(0xFF0B4F8A), Offset(left, 0f), Size(width, size.height), CornerRadius(16f, 16f))
        drawRoundRect(Color(0xFFE0B64B), Offset(left + width * 0.12f, size.height * 0.32f), Size(width * 0.16f, size.height * 0.26f), CornerRadius(6f, 6f))
        drawRect(Color(0x66FFFFFF), Offset(left, size.height * 0.74f), Size(width, size.height * 0.1f))
    }
}
