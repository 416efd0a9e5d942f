package tw.mpos.ui

import androidx.compose.runtime.Composable
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenView

/** The cardholder signs on the pad. */
@Composable
fun SignatureScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Fields(view.fields)
    Prompt(view.prompt)
    SignaturePad(view.signature, actions)
    Buttons(view.buttons, actions)
}
