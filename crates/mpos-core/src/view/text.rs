//! Every fixed word the screens show, in Traditional Chinese and English,
//! named once. Messages that say what went wrong live in `Notice` and in
//! the API's error codes; values (amounts, dates, names) are formatted in
//! `format`. A test checks that each entry is written in both languages.

use super::locale::Locale;

macro_rules! texts {
    ($($(#[$doc:meta])* $name:ident => ($zh:expr, $en:expr),)*) => {
        /// A fixed word or phrase of the screens.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Text {
            $($(#[$doc])* $name,)*
        }

        impl Text {
            /// Every entry, for the tests.
            #[cfg(test)]
            pub const ALL: &'static [Text] = &[$(Text::$name,)*];

            /// The text in `locale`.
            pub fn get(self, locale: Locale) -> &'static str {
                match self {
                    $(Text::$name => locale.pick($zh, $en),)*
                }
            }
        }
    };
}

texts! {
    // Titles.
    /// Login screen.
    LoginTitle => ("mPOS 登入", "mPOS log in"),
    /// First login: activation code.
    ActivationTitle => ("首次登入", "First login"),
    /// First login: new password.
    NewPasswordTitle => ("設定新密碼", "Set your password"),
    /// A short wait.
    LoadingTitle => ("mPOS", "mPOS"),
    /// Home.
    HomeTitle => ("首頁", "Home"),
    /// Amount and brand of a sale.
    SaleTitle => ("一般交易", "Sale"),
    /// Amount and brand of a refund.
    RefundTitle => ("退貨", "Refund"),
    /// Present the card.
    PresentCardTitle => ("讀取卡片", "Read the card"),
    /// Waiting for the bank.
    AuthorizingTitle => ("授權中", "Authorizing"),
    /// No answer: reversing.
    OutcomeUnknownTitle => ("交易結果不明", "Outcome unknown"),
    /// Declined.
    DeclinedTitle => ("交易失敗", "Declined"),
    /// Signature pad.
    SignatureTitle => ("持卡人簽名", "Cardholder signature"),
    /// E-receipt.
    ReceiptTitle => ("電子簽單", "E-receipt"),
    /// Transaction details (password re-entry and search).
    TransactionsTitle => ("交易明細", "Transaction details"),
    /// Sale details.
    SaleDetailTitle => ("銷售詳情", "Sale details"),
    /// Refund details.
    RefundDetailTitle => ("退貨詳情", "Refund details"),
    /// Voided.
    VoidDoneTitle => ("已取消交易", "Transaction voided"),
    /// Settlement review.
    SettlementTitle => ("信用卡結帳", "Card settlement"),
    /// Settled.
    SettlementDoneTitle => ("結帳完成", "Settled"),

    // Prompts.
    /// Activation prompt.
    ActivationPrompt => ("請輸入簡訊中的啟動驗證碼。", "Enter the activation code from the SMS."),
    /// New password prompt.
    NewPasswordPrompt => ("請設定 6 碼數字的新密碼，並再輸入一次。", "Choose a new password of exactly 6 digits and enter it twice."),
    /// Loading prompt.
    PleaseWait => ("處理中，請稍候。", "Please wait."),
    /// Chip first: insert or swipe.
    PromptInsertOrSwipe => ("請將晶片卡晶片朝外、由上往下插入讀卡機；無晶片的卡片請由左至右刷卡，磁條面朝向自己。", "Insert a chip card top first, chip facing away from you; swipe a card without a chip left to right, stripe facing you."),
    /// A chip card was swiped.
    PromptInsertChip => ("這是晶片卡，請改為插卡。", "This is a chip card: insert it instead of swiping."),
    /// Refunds are swipe only.
    PromptSwipeOnly => ("退貨僅能刷卡：請由左至右刷卡，磁條面朝向自己。", "Refunds are swipe only: swipe left to right, stripe facing you."),
    /// Fallback after 3 chip failures.
    PromptSwipeAfterChipFailure => ("晶片無法讀取，請改為刷磁條。", "The chip could not be read: swipe the stripe instead."),
    /// While authorizing.
    PromptAuthorizing => ("正在向銀行取得授權，請勿取出卡片。", "Asking the bank for authorization. Do not remove the card."),
    /// While reversing.
    PromptReversing => ("正在取消交易，請稍候。", "Cancelling the transaction; please wait."),
    /// Reversal acknowledged.
    PromptReversed => ("交易已取消，卡片未被扣款。", "The transaction was cancelled; the card was not charged."),
    /// Signature prompt.
    PromptSign => ("請持卡人於下方簽名，再按確認簽名。", "Cardholder: sign below, then confirm."),
    /// QR code caption.
    PromptScanReceipt => ("持卡人可掃描 QR Code 取得電子簽單。", "The cardholder can scan the QR code for the e-receipt."),
    /// Password re-entry.
    PromptQueryPassword => ("查詢交易明細前，請再輸入一次用戶密碼。", "Enter your password again to see transaction details."),
    /// Search form.
    PromptSearch => ("以卡號後四碼、授權碼或調閱編號查詢一筆未請款交易。", "Search unsettled transactions by the card's last 4 digits, the authorization code or the invoice number."),
    /// Settlement review.
    PromptSettle => ("確認待結帳筆數與金額後，按立即結帳。", "Check the pending count and amount, then settle."),
    /// A void is done.
    PromptVoided => ("交易已取消。可寄出電子簽單或返回銷售詳情。", "The transaction is voided. Send the e-receipt or go back to the sale details."),
    /// Settlement done.
    PromptSettled => ("本批次已結帳。", "This batch is settled."),
    /// A request is running.
    Working => ("處理中…", "Working…"),
    /// No unsettled results yet.
    NoResultsYet => ("尚無查詢結果。", "No results yet."),

    // Field and input labels.
    /// Account input.
    Account => ("帳號", "Account"),
    /// Password input.
    Password => ("密碼", "Password"),
    /// Activation code input.
    ActivationCode => ("啟動驗證碼", "Activation code"),
    /// New password input.
    NewPassword => ("新密碼（6 碼數字）", "New password (6 digits)"),
    /// New password again.
    NewPasswordAgain => ("再次輸入新密碼", "New password again"),
    /// Card reader status label.
    CardReader => ("讀卡機", "Card reader"),
    /// Reader connected.
    ReaderConnected => ("已連接", "Connected"),
    /// Reader missing.
    ReaderMissing => ("未連接，請插上讀卡機", "Not connected: plug in the reader"),
    /// Merchant label.
    Merchant => ("特店", "Merchant"),
    /// User label.
    User => ("使用者", "User"),
    /// Amount label.
    Amount => ("金額", "Amount"),
    /// Amount input.
    AmountInput => ("金額（新台幣元）", "Amount (NT$)"),
    /// Refund amount.
    RefundAmount => ("退貨金額", "Refund amount"),
    /// Brand label.
    CardBrand => ("卡別", "Card brand"),
    /// Card number label.
    CardNumber => ("卡號", "Card number"),
    /// Original auth code input.
    OriginalAuthCode => ("原交易授權碼", "Original authorization code"),
    /// Auth code label.
    AuthCode => ("授權碼", "Authorization code"),
    /// Invoice number label.
    InvoiceNo => ("調閱編號", "Invoice number"),
    /// Transaction time label.
    DateTime => ("交易時間", "Date and time"),
    /// Type label.
    TransactionType => ("交易類別", "Type"),
    /// Status label.
    Status => ("狀態", "Status"),
    /// Entry mode label.
    EntryMode => ("讀卡方式", "Card read by"),
    /// Settlement state label.
    SettlementState => ("請款狀態", "Settlement"),
    /// Unsettled.
    Unsettled => ("未請款", "Unsettled"),
    /// Settled.
    Settled => ("已請款", "Settled"),
    /// Signature label.
    SignatureLabel => ("簽名", "Signature"),
    /// Signed.
    Signed => ("已簽名", "Signed"),
    /// No signature.
    NotSigned => ("免簽名", "No signature"),
    /// Chip failures label.
    ChipFailures => ("晶片讀取失敗", "Chip read failures"),
    /// Response code label.
    ResponseCode => ("銀行回應", "Bank's answer"),
    /// Receipt contact input.
    ReceiptContact => ("E-mail 或手機號碼", "E-mail or mobile number"),
    /// Sent to label.
    SentTo => ("已寄送至", "Sent to"),
    /// Last 4 digits input.
    Last4 => ("卡號後四碼", "Card's last 4 digits"),
    /// Pending count.
    PendingCount => ("待結帳筆數", "Transactions to settle"),
    /// Pending net amount.
    PendingAmount => ("待結帳淨額", "Net amount to settle"),
    /// Sales line.
    Sales => ("銷售", "Sales"),
    /// Refunds line.
    Refunds => ("退貨", "Refunds"),
    /// Next automatic settlement.
    NextAutoSettlement => ("下次自動結帳", "Next automatic settlement"),
    /// Batch id.
    Batch => ("批次號碼", "Batch"),
    /// Business date.
    BusinessDate => ("營業日", "Business date"),
    /// Closed at.
    ClosedAt => ("結帳時間", "Closed at"),
    /// Settled by hand.
    ManualSettlement => ("手動結帳", "Settled by hand"),
    /// Settled at 23:00.
    AutomaticSettlement => ("自動結帳", "Settled automatically"),
    /// How the batch was settled.
    SettledHow => ("結帳方式", "How"),
    /// Count unit after a number.
    CountUnit => (" 筆", ""),

    // Buttons.
    /// Log in.
    LogIn => ("登入", "Log in"),
    /// Confirm.
    Confirm => ("確認", "Confirm"),
    /// Back.
    Back => ("返回", "Back"),
    /// Cancel.
    Cancel => ("取消", "Cancel"),
    /// Start a sale.
    StartSale => ("開始接受付款", "Start accepting payment"),
    /// Start a refund.
    StartRefund => ("開始接受退貨", "Start accepting refund"),
    /// Transaction details.
    OpenTransactions => ("交易明細", "Transaction details"),
    /// Log out.
    LogOut => ("登出", "Log out"),
    /// Pay now.
    PayNow => ("立即付款", "Pay now"),
    /// Refund now.
    RefundNow => ("立即退貨", "Refund now"),
    /// Continue.
    Continue => ("繼續", "Continue"),
    /// Clear the pad.
    ClearSignature => ("清除", "Clear"),
    /// Confirm the signature.
    ConfirmSignature => ("確認簽名", "Confirm signature"),
    /// Send the e-receipt.
    SendReceipt => ("寄出電子簽單", "Send e-receipt"),
    /// Done.
    Done => ("完成", "Done"),
    /// Search.
    Search => ("查詢", "Search"),
    /// Void now.
    VoidNow => ("立即取消", "Void now"),
    /// Back to sale details.
    BackToDetails => ("返回銷售詳情", "Back to sale details"),
    /// Enter settlement.
    EnterSettlement => ("進入結帳", "Enter settlement"),
    /// Settle now.
    SettleNow => ("立即結帳", "Settle now"),
    /// Try again after a decline.
    TryAgain => ("重新交易", "Try again"),
    /// Back home.
    GoHome => ("回首頁", "Home"),

    // Values.
    /// Sale kind.
    KindSale => ("一般交易", "Sale"),
    /// Refund kind.
    KindRefund => ("退貨", "Refund"),
    /// Pending.
    StatusPending => ("處理中", "Pending"),
    /// Approved.
    StatusApproved => ("已核准", "Approved"),
    /// Declined.
    StatusDeclined => ("已拒絕", "Declined"),
    /// Voided.
    StatusVoided => ("已取消", "Voided"),
    /// Reversed.
    StatusReversed => ("已沖正", "Reversed"),
    /// Chip read.
    EntryChip => ("晶片", "Chip"),
    /// Swipe.
    EntrySwipe => ("磁條", "Stripe"),
    /// Fallback swipe.
    EntryFallback => ("磁條（晶片無法讀取）", "Stripe (chip unreadable)"),
    /// Visa.
    BrandVisa => ("VISA", "Visa"),
    /// Mastercard.
    BrandMastercard => ("Mastercard", "Mastercard"),
    /// JCB.
    BrandJcb => ("JCB", "JCB"),
    /// UnionPay.
    BrandUnionPay => ("銀聯卡", "UnionPay"),
    /// American Express.
    BrandAmex => ("美國運通", "American Express"),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_cjk(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_text_is_written_in_both_languages() {
        for text in Text::ALL {
            let zh = text.get(Locale::ZhTw);
            let en = text.get(Locale::En);
            assert!(!has_cjk(en), "{text:?}: English has Chinese: {en}");
            // Brand names, the app's name and a count unit may read the
            // same; everything else must be translated.
            let shared = matches!(
                text,
                Text::LoadingTitle
                    | Text::BrandVisa
                    | Text::BrandMastercard
                    | Text::BrandJcb
                    | Text::CountUnit
            );
            if !shared {
                assert!(has_cjk(zh), "{text:?}: no Chinese: {zh}");
                assert!(!en.is_empty(), "{text:?}: no English");
            }
        }
    }
}
