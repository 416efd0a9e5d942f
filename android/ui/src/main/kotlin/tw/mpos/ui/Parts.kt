package tw.mpos.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.text.input.VisualTransformation
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.BusyView
import uniffi.mpos_core.ButtonStyle
import uniffi.mpos_core.ButtonView
import uniffi.mpos_core.ChoiceGroupView
import uniffi.mpos_core.FieldView
import uniffi.mpos_core.InputKind
import uniffi.mpos_core.InputView
import uniffi.mpos_core.MessageView
import uniffi.mpos_core.RowView
import uniffi.mpos_core.ScreenView
import uniffi.mpos_core.Tone

// The pieces every screen is made of. Each draws what the view says; none
// holds a word, a format or a rule of its own.

/** The title bar: the title and, below it, the subtitle. */
@Composable
fun TitleBar(view: ScreenView) {
    Column(
        Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.primary).padding(horizontal = 20.dp, vertical = 14.dp),
    ) {
        Text(view.title, color = MaterialTheme.colorScheme.onPrimary, fontSize = 22.sp, fontWeight = FontWeight.Bold)
        view.subtitle?.let { Text(it, color = MaterialTheme.colorScheme.onPrimary, fontSize = 15.sp) }
    }
}

/** Status lines (the reader), one a row. */
@Composable
fun StatusLines(lines: List<FieldView>) {
    lines.forEach { line -> LabelledValue(line, emphasis = false) }
}

/** The message banner, coloured by its tone. */
@Composable
fun MessageBanner(message: MessageView?) {
    message ?: return
    val (background, foreground) = when (message.tone) {
        Tone.WARNING -> Color(0xFFFDECEA) to Color(0xFF8C1D18)
        Tone.SUCCESS -> Color(0xFFE6F4EA) to Color(0xFF1E6B34)
        Tone.INFO -> Color(0xFFE8F0FE) to Color(0xFF174EA6)
    }
    Text(
        message.text,
        color = foreground,
        fontSize = 16.sp,
        modifier = Modifier.fillMaxWidth().background(background).padding(12.dp).testTag(Tags.MESSAGE),
    )
}

/** The main instruction, large. */
@Composable
fun Prompt(prompt: String?) {
    prompt ?: return
    Text(prompt, fontSize = 20.sp, fontWeight = FontWeight.Medium, modifier = Modifier.fillMaxWidth())
}

/** A label and its value on one row. */
@Composable
fun LabelledValue(field: FieldView, emphasis: Boolean = true) {
    Row(Modifier.fillMaxWidth().padding(vertical = 3.dp), horizontalArrangement = Arrangement.SpaceBetween) {
        Text(field.label, color = Color(0xFF5F6368), fontSize = 15.sp)
        Text(field.value, fontSize = if (emphasis) 17.sp else 15.sp, fontWeight = if (emphasis) FontWeight.Medium else FontWeight.Normal)
    }
}

/** The labelled values. */
@Composable
fun Fields(fields: List<FieldView>) {
    if (fields.isEmpty()) return
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(14.dp)) { fields.forEach { LabelledValue(it) } }
    }
}

/** A text input; it shows what the user types, and drops it when the core empties the field. */
@Composable
fun Input(input: InputView, actions: ScreenActions, screen: String) {
    var text by remember(screen, input.field, input.revision) { mutableStateOf(input.value) }
    val secret = input.kind == InputKind.PASSWORD || input.kind == InputKind.DIGIT_PASSWORD
    OutlinedTextField(
        value = text,
        onValueChange = { typed ->
            val limit = input.maxLength.toInt()
            if (limit == 0 || typed.length <= limit) {
                text = typed
                actions.edit(input.field, typed)
            }
        },
        label = { Text(input.label) },
        singleLine = true,
        visualTransformation = if (secret) PasswordVisualTransformation() else VisualTransformation.None,
        keyboardOptions = keyboard(input.kind),
        modifier = Modifier.fillMaxWidth().testTag(Tags.input(input.field)),
    )
}

private fun keyboard(kind: InputKind): KeyboardOptions = when (kind) {
    InputKind.TEXT -> KeyboardOptions(keyboardType = KeyboardType.Text)
    InputKind.PASSWORD -> KeyboardOptions(keyboardType = KeyboardType.Password)
    InputKind.DIGIT_PASSWORD -> KeyboardOptions(keyboardType = KeyboardType.NumberPassword)
    InputKind.DIGITS -> KeyboardOptions(keyboardType = KeyboardType.Number)
    InputKind.CODE -> KeyboardOptions(keyboardType = KeyboardType.Ascii, capitalization = KeyboardCapitalization.Characters)
    InputKind.CONTACT -> KeyboardOptions(keyboardType = KeyboardType.Email)
}

/** The inputs, one under the other. */
@Composable
fun Inputs(view: ScreenView, actions: ScreenActions) {
    view.inputs.forEach { Input(it, actions, view.screen.name) }
}

/** A choice (the card brand) as chips. */
@Composable
fun Choice(choice: ChoiceGroupView?, actions: ScreenActions, enabled: Boolean) {
    choice ?: return
    Text(choice.label, color = Color(0xFF5F6368), fontSize = 15.sp)
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        choice.options.forEach { option ->
            FilterChip(
                selected = option.selected,
                onClick = { actions.press(option.intent) },
                label = { Text(option.label) },
                enabled = enabled,
                modifier = Modifier.testTag(Tags.intent(option.intent)),
            )
        }
    }
}

/** A list (search results), each row tappable. */
@Composable
fun Rows(rows: List<RowView>, empty: String?, actions: ScreenActions) {
    if (rows.isEmpty()) {
        empty?.let { Text(it, color = Color(0xFF5F6368)) }
        return
    }
    rows.forEach { row ->
        Card(Modifier.fillMaxWidth().padding(vertical = 3.dp).clickable { actions.press(row.intent) }.testTag(Tags.intent(row.intent))) {
            Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
                Column(Modifier.weight(1f)) {
                    Text(row.title, fontWeight = FontWeight.Medium, fontSize = 17.sp)
                    Text(row.detail, color = Color(0xFF5F6368), fontSize = 14.sp)
                }
                Text(row.trailing, fontSize = 14.sp)
            }
        }
    }
}

/** One button, styled as the view says. */
@Composable
fun ActionButton(button: ButtonView, actions: ScreenActions, modifier: Modifier = Modifier) {
    val tagged = modifier.testTag(Tags.intent(button.intent))
    val label = @Composable { Text(button.label, fontSize = 17.sp) }
    when (button.style) {
        ButtonStyle.PRIMARY -> Button(onClick = { actions.press(button.intent) }, enabled = button.enabled, modifier = tagged, content = { label() })
        ButtonStyle.DANGER -> Button(
            onClick = { actions.press(button.intent) },
            enabled = button.enabled,
            colors = ButtonDefaults.buttonColors(containerColor = MaterialTheme.colorScheme.error),
            modifier = tagged,
            content = { label() },
        )
        ButtonStyle.SECONDARY -> OutlinedButton(onClick = { actions.press(button.intent) }, enabled = button.enabled, modifier = tagged, content = { label() })
    }
}

/** The buttons, full width, main first. */
@Composable
fun Buttons(buttons: List<ButtonView>, actions: ScreenActions) {
    buttons.forEach { ActionButton(it, actions, Modifier.fillMaxWidth()) }
}

/** A request on its way, with its cancel button when it may be cancelled. */
@Composable
fun Busy(busy: BusyView?, actions: ScreenActions) {
    busy ?: return
    LinearProgressIndicator(Modifier.fillMaxWidth())
    Row(verticalAlignment = Alignment.CenterVertically) {
        Text(busy.text, modifier = Modifier.weight(1f))
        busy.cancel?.let { ActionButton(it, actions, Modifier.width(140.dp)) }
    }
}
