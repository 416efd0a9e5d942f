package tw.mpos.ui

import androidx.compose.runtime.Composable
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenView

/** Card settlement: the pending count and amounts, and "Settle now". */
@Composable
fun SettlementReviewScreen(view: ScreenView, actions: ScreenActions) = InstructionScreen(view, actions)

/** The batch just closed. */
@Composable
fun SettlementDoneScreen(view: ScreenView, actions: ScreenActions) = InstructionScreen(view, actions)
