package tw.mpos.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.gestures.detectDragGestures
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.IntSize
import androidx.compose.ui.unit.dp
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.SignaturePadView
import uniffi.mpos_core.SignaturePoint

/**
 * The signature pad: draws the strokes the core holds, and the one being
 * drawn; a finished stroke goes to the core in its 0..1000 square.
 */
@Composable
fun SignaturePad(pad: SignaturePadView?, actions: ScreenActions) {
    pad ?: return
    val drawing = remember { mutableStateListOf<Offset>() }
    val area = remember { arrayOf(IntSize(1, 1)) }
    Box(
        Modifier.fillMaxWidth().height(220.dp).background(Color.White).border(1.dp, Color(0xFF9AA0A6))
            .testTag(Tags.SIGNATURE_PAD)
            .pointerInput(Unit) {
                area[0] = size
                detectDragGestures(
                    onDragStart = { drawing.clear(); drawing.add(it) },
                    onDrag = { change, _ -> drawing.add(change.position) },
                    onDragEnd = {
                        val (w, h) = area[0].width.coerceAtLeast(1) to area[0].height.coerceAtLeast(1)
                        val points = drawing.map {
                            SignaturePoint(
                                (it.x / w * 1000).toInt().coerceIn(0, 1000).toUShort(),
                                (it.y / h * 1000).toInt().coerceIn(0, 1000).toUShort(),
                            )
                        }
                        drawing.clear()
                        if (points.size >= 2) actions.addStroke(points)
                    },
                )
            },
        contentAlignment = Alignment.Center,
    ) {
        if (pad.strokes.isEmpty() && drawing.isEmpty()) Text(pad.hint, color = Color(0xFF9AA0A6))
        Canvas(Modifier.matchParentSize()) {
            val ink = Stroke(width = 4f)
            fun at(p: SignaturePoint) = Offset(p.x.toFloat() / 1000f * size.width, p.y.toFloat() / 1000f * size.height)
            pad.strokes.forEach { stroke ->
                val path = Path()
                stroke.points.forEachIndexed { i, p -> if (i == 0) path.moveTo(at(p).x, at(p).y) else path.lineTo(at(p).x, at(p).y) }
                drawPath(path, Color(0xFF0B2545), style = ink)
            }
            if (drawing.size >= 2) {
                val path = Path()
                drawing.forEachIndexed { i, p -> if (i == 0) path.moveTo(p.x, p.y) else path.lineTo(p.x, p.y) }
                drawPath(path, Color(0xFF0B2545), style = ink)
            }
        }
    }
}
