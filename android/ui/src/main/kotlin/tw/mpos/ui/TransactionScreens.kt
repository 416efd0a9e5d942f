package tw.mpos.ui

import androidx.compose.runtime.Composable
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenView

/** Transaction details: the password again. */
@Composable
fun QueryPasswordScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
    Inputs(view, actions)
    Buttons(view.buttons, actions)
}

/** The search of unsettled transactions and its results. */
@Composable
fun TransactionSearchScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
    Inputs(view, actions)
    Buttons(view.buttons, actions)
    Rows(view.rows, view.emptyRows, actions)
}

/** Sale details, with "Void now" when it may be voided. */
@Composable
fun TransactionDetailScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Fields(view.fields)
    Buttons(view.buttons, actions)
}

/** Voided: send the e-receipt or go back to the sale details. */
@Composable
fun VoidDoneScreen(view: ScreenView, actions: ScreenActions) = InstructionScreen(view, actions)
