package tw.mpos.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenView

/** The e-receipt: the QR code, the sale, and sending it by e-mail or SMS. */
@Composable
fun ReceiptScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Box(Modifier.fillMaxWidth(), contentAlignment = Alignment.Center) { QrCode(view.qr) }
    Fields(view.fields)
    Inputs(view, actions)
    Buttons(view.buttons, actions)
}
