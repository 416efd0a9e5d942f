package tw.mpos.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Card
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.CheckState
import uniffi.mpos_core.CheckView
import uniffi.mpos_core.ScreenView

/** The pre-shift check: one card per line (what, what was found, its state, what to do). */
@Composable
fun SelfCheckScreen(view: ScreenView, actions: ScreenActions) = ScreenScaffold(view, actions) {
    Prompt(view.prompt)
    view.checks.forEachIndexed { index, check -> CheckLine(check, Modifier.testTag(Tags.check(index))) }
    Buttons(view.buttons, actions)
}

/** One line of the check; the badge's colour follows the state the core decided. */
@Composable
private fun CheckLine(check: CheckView, modifier: Modifier) {
    val (badge, ink) = when (check.state) {
        CheckState.OK -> Color(0xFFE6F4EA) to Color(0xFF1E6B34)
        CheckState.WARNING -> Color(0xFFFEF7E0) to Color(0xFF8A5300)
        CheckState.FAILED -> Color(0xFFFDECEA) to Color(0xFF8C1D18)
        CheckState.CHECKING, CheckState.SKIPPED -> Color(0xFFF1F3F4) to Color(0xFF5F6368)
    }
    Card(modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(
                    check.stateText,
                    color = ink,
                    fontSize = 13.sp,
                    fontWeight = FontWeight.Bold,
                    modifier = Modifier.background(badge, RoundedCornerShape(6.dp)).padding(horizontal = 8.dp, vertical = 2.dp),
                )
                Text(check.label, fontWeight = FontWeight.Medium, fontSize = 16.sp)
            }
            Text(check.value, fontSize = 15.sp)
            check.advice?.let { Text(it, color = ink, fontSize = 14.sp) }
        }
    }
}
