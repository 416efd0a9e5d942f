package tw.mpos.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.Dp
import androidx.compose.ui.unit.dp
import uniffi.mpos_core.QrView

/** The e-receipt's QR code from the core's packed modules, with its quiet zone and caption. */
@Composable
fun QrCode(qr: QrView?, side: Dp = 220.dp) {
    qr ?: return
    val size = qr.size.toInt()
    val modules = qr.modules
    Column(horizontalAlignment = Alignment.CenterHorizontally) {
        Canvas(Modifier.size(side).background(Color.White).testTag(Tags.QR)) {
            // Four light modules around the code, as the standard asks.
            val cell = this.size.minDimension / (size + 8)
            for (y in 0 until size) {
                for (x in 0 until size) {
                    val i = y * size + x
                    val dark = (modules[i / 8].toInt() shr (7 - i % 8)) and 1 == 1
                    if (dark) {
                        drawRect(Color.Black, Offset((x + 4) * cell, (y + 4) * cell), Size(cell, cell))
                    }
                }
            }
        }
        Text(qr.caption, modifier = Modifier.padding(top = 4.dp))
    }
}
