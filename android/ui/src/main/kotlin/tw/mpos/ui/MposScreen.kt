package tw.mpos.ui

import androidx.compose.runtime.Composable
import tw.mpos.core.ScreenActions
import uniffi.mpos_core.ScreenId
import uniffi.mpos_core.ScreenView

/** The screen the core's view names, drawn; every KGI mPOS screen has its composable. */
@Composable
fun MposScreen(view: ScreenView, actions: ScreenActions) = MposTheme {
    when (view.screen) {
        ScreenId.LOGIN -> LoginScreen(view, actions)
        ScreenId.ACTIVATION -> ActivationScreen(view, actions)
        ScreenId.NEW_PASSWORD -> NewPasswordScreen(view, actions)
        ScreenId.LOADING -> LoadingScreen(view, actions)
        ScreenId.HOME -> HomeScreen(view, actions)
        ScreenId.AMOUNT -> AmountScreen(view, actions)
        ScreenId.REFUND_AUTH_CODE -> RefundAuthCodeScreen(view, actions)
        ScreenId.PRESENT_CARD -> PresentCardScreen(view, actions)
        ScreenId.PIN_ENTRY -> PinEntryScreen(view, actions)
        ScreenId.WRONG_PIN -> WrongPinScreen(view, actions)
        ScreenId.AUTHORIZING -> AuthorizingScreen(view, actions)
        ScreenId.OUTCOME_UNKNOWN -> OutcomeUnknownScreen(view, actions)
        ScreenId.DECLINED -> DeclinedScreen(view, actions)
        ScreenId.SIGNATURE -> SignatureScreen(view, actions)
        ScreenId.RECEIPT -> ReceiptScreen(view, actions)
        ScreenId.QUERY_PASSWORD -> QueryPasswordScreen(view, actions)
        ScreenId.TRANSACTION_SEARCH -> TransactionSearchScreen(view, actions)
        ScreenId.TRANSACTION_DETAIL -> TransactionDetailScreen(view, actions)
        ScreenId.VOID_DONE -> VoidDoneScreen(view, actions)
        ScreenId.SETTLEMENT_REVIEW -> SettlementReviewScreen(view, actions)
        ScreenId.SETTLEMENT_DONE -> SettlementDoneScreen(view, actions)
        ScreenId.SELF_CHECK -> SelfCheckScreen(view, actions)
    }
}
