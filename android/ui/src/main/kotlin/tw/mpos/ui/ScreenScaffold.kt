package tw.mpos.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenView

/** Every screen's frame: title bar, status, message, the body, and a running request. */
@Composable
fun ScreenScaffold(view: ScreenView, actions: ScreenActions, body: @Composable ColumnScope.() -> Unit) {
    Column(Modifier.fillMaxSize().background(MaterialTheme.colorScheme.background).testTag(Tags.SCREEN)) {
        TitleBar(view)
        MessageBanner(view.message)
        Column(
            Modifier.fillMaxWidth().weight(1f).verticalScroll(rememberScrollState()).padding(20.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            StatusLines(view.status)
            body()
            Busy(view.busy, actions)
        }
    }
}

/** The body most screens share: the instruction, the values, the buttons. */
@Composable
fun InstructionScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
    Fields(view.fields)
    Buttons(view.buttons, actions)
}

/** The app could not start: the core's own message (in both languages), nothing else. */
@Composable
fun StartupFailure(message: String) = MposTheme {
    Column(Modifier.fillMaxSize().background(MaterialTheme.colorScheme.background).padding(24.dp).testTag(Tags.SCREEN)) {
        androidx.compose.material3.Text(message, modifier = Modifier.testTag(Tags.MESSAGE))
    }
}
