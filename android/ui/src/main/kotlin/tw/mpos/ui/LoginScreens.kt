package tw.mpos.ui

import androidx.compose.runtime.Composable
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenView

/** Login: the reader's state, account, password, log in. */
@Composable
fun LoginScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Inputs(view, actions)
    Buttons(view.buttons, actions)
}

/** First login: the activation code from the SMS. */
@Composable
fun ActivationScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
    Inputs(view, actions)
    Buttons(view.buttons, actions)
}

/** New password: the 6-digit password, twice. */
@Composable
fun NewPasswordScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
    Inputs(view, actions)
    Buttons(view.buttons, actions)
}

/** A short wait while settings load. */
@Composable
fun LoadingScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
}

/** Home: who is logged in, the reader, and the main menu. */
@Composable
fun HomeScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Fields(view.fields)
    Buttons(view.buttons, actions)
}
