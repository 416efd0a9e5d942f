package tw.mpos.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

/** The bank's colours: a deep blue, white, and a clear red for warnings. */
private val Colors = lightColorScheme(
    primary = Color(0xFF0B4F8A),
    onPrimary = Color.White,
    secondary = Color(0xFF3C6E99),
    surface = Color.White,
    background = Color(0xFFF4F6F9),
    error = Color(0xFFB3261E),
)

/** The app's Material theme. */
@Composable
fun MposTheme(content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = Colors, content = content)
}
