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

            /// The text in `locale` with each `{}` replaced by the next value.
            pub fn fill(self, locale: Locale, values: &[&str]) -> String {
                let mut parts = self.get(locale).split("{}");
                let mut text = parts.next().unwrap_or_default().to_string();
                for (part, value) in parts.zip(values.iter().chain(std::iter::repeat(&""))) {
                    text.push_str(value);
                    text.push_str(part);
                }
                text
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
    /// Clear the PIN entered so far.
    ClearPin => ("清除", "Clear"),
    /// Confirm the PIN.
    ConfirmPin => ("確認", "Confirm"),
    /// Read the card again after a wrong PIN.
    RetryPin => ("重新輸入密碼", "Enter the PIN again"),
    /// PIN entry title.
    PinEntryTitle => ("輸入密碼", "Enter PIN"),
    /// Wrong PIN title.
    WrongPinTitle => ("密碼錯誤", "Wrong PIN"),
    /// The cardholder enters the PIN.
    PromptEnterPin => ("請持卡人輸入密碼後按「確認」", "Cardholder: enter your PIN, then press Confirm"),
    /// The reader's keypad is on its way.
    PromptWaitingForKeypad => ("正在向讀卡機取得密碼鍵盤…", "Getting the keypad from the card reader…"),
    /// The PIN is with the reader.
    PromptPinSent => ("密碼已由讀卡機加密，處理中…", "The card reader is encrypting the PIN…"),
    /// The dots' label.
    PinDigits => ("密碼", "PIN"),
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

    // The pre-shift check. `{}` marks where a value goes (see `fill`).
    /// Its title.
    SelfCheckTitle => ("開班前檢查", "Pre-shift check"),
    /// The button on login and home.
    OpenSelfCheck => ("開班前檢查", "Pre-shift check"),
    /// Run it again.
    CheckAgain => ("重新檢查", "Check again"),
    /// While it runs.
    SelfCheckRunning => ("正在檢查手機、讀卡機、軟體與網路…", "Checking the phone, the reader, the software and the network…"),
    /// Line status: still running.
    CheckChecking => ("檢查中", "Checking"),
    /// Line status: not checked.
    CheckSkipped => ("未檢查", "Not checked"),
    /// Line status: fine.
    CheckOk => ("正常", "OK"),
    /// Line status: see to it soon.
    CheckWarning => ("注意", "Attention"),
    /// Line status: stops payments.
    CheckFailed => ("異常", "Problem"),
    /// A value not known yet.
    CheckPending => ("檢查中…", "Checking…"),
    /// Skipped: the reader line must pass first.
    NeedsReader => ("需先連接讀卡機", "Needs the reader"),
    /// Skipped: the gateway line must pass first.
    NeedsGateway => ("需先連上收單主機", "Needs the gateway"),
    /// Nothing to measure here.
    NotApplicable => ("不適用", "Not applicable"),
    /// A value that could not be read.
    Unreadable => ("無法讀取", "Unreadable"),
    /// Label: the phone's battery.
    PhoneBatteryLabel => ("手機電量", "Phone battery"),
    /// The battery was not reported.
    NotReported => ("未回報", "Not reported"),
    /// A charge that is charging.
    PercentCharging => ("{}%，充電中", "{}%, charging"),
    /// Advice: the phone's battery is low.
    AdvicePhoneBatteryLow => ("手機電量偏低，請充電或接上電源。", "The phone's battery is low: charge it or plug it in."),
    /// Advice: the phone's battery is almost empty.
    AdvicePhoneBatteryEmpty => ("手機電量即將耗盡，請先充電再開始交易。", "The phone's battery is almost empty: charge it before taking payments."),
    /// A reader answering.
    ReaderSerialFirmware => ("序號 {} · 韌體 {}", "Serial {} · firmware {}"),
    /// The microphone is refused.
    MicrophoneBlocked => ("無法使用麥克風", "Microphone not allowed"),
    /// Advice: no reader.
    AdvicePlugReader => ("請將讀卡機插入耳機孔，並將媒體音量調到最大。", "Plug the reader into the headset jack and turn the media volume all the way up."),
    /// Advice: allow the microphone.
    AdviceAllowMicrophone => ("請在系統設定中允許 mPOS 使用麥克風，讀卡機才能回應。", "Allow mPOS to use the microphone in Settings, so the reader can answer."),
    /// Label: the reader's battery.
    ReaderBatteryLabel => ("讀卡機電量", "Reader battery"),
    /// A reader without a battery.
    NoBattery => ("無電池（由耳機孔供電）", "No battery (powered by the jack)"),
    /// Advice: the reader's battery is low.
    AdviceReaderBatteryLow => ("讀卡機電量偏低，請在開班前充電。", "The reader's battery is low: charge it before the shift."),
    /// Advice: the reader's battery is almost empty.
    AdviceReaderBatteryEmpty => ("讀卡機電量即將耗盡，請充電後再使用。", "The reader's battery is almost empty: charge it before use."),
    /// Label: the reader's keys.
    ReaderKeysLabel => ("讀卡機加密金鑰", "Reader encryption keys"),
    /// Transactions left on the key.
    TransactionsLeft => ("剩餘 {} 筆交易", "{} transactions left"),
    /// Advice: keys running out.
    AdviceKeysLow => ("金鑰即將用完，請聯絡收單銀行更新讀卡機金鑰。", "The keys are running out: ask the acquiring bank to re-key the reader."),
    /// Advice: keys used up.
    AdviceKeysUsedUp => ("金鑰已用完，讀卡機無法再加密卡片資料，請聯絡收單銀行。", "The keys are used up: the reader cannot encrypt cards any more. Call the acquiring bank."),
    /// Advice: the key serial number cannot be read.
    AdviceKeysUnreadable => ("無法讀取讀卡機的金鑰序號，請聯絡客服。", "The reader's key serial number cannot be read: call support."),
    /// Label: the audio link.
    AudioLinkLabel => ("音訊連線品質", "Audio link quality"),
    /// The link's measures.
    LinkMeasures => ("{} bit/s · 取樣 {} Hz · 訊號 {}% · 訊雜比 {} dB", "{} bit/s · {} Hz audio · level {}% · SNR {} dB"),
    /// Advice: a weak link.
    AdviceWeakLink => ("訊號偏弱：請將讀卡機插頭插緊，並停止其他播放中的聲音。", "The signal is weak: push the reader's plug all the way in and stop other sounds playing."),
    /// Label: this phone model's saved link settings.
    LinkProfileLabel => ("本機音訊設定", "This phone's audio settings"),
    /// Settings saved earlier.
    ProfileSaved => ("{}：已儲存", "{}: saved"),
    /// Settings learned just now.
    ProfileLearned => ("{}：剛學習完成，已保留供下次使用", "{}: learned now, kept for next time"),
    /// Nothing learned yet.
    ProfileNone => ("尚未學習", "Not learned yet"),
    /// Advice: plug in the reader to learn the settings.
    AdviceLearnProfile => ("插入讀卡機後，App 會自動學習本機的音訊設定。", "Plug in the reader: the app learns this phone's audio settings by itself."),
    /// Label: the gateway.
    GatewayLabel => ("收單主機連線", "Gateway connection"),
    /// Reachable with the pinned certificate.
    GatewayReachable => ("已連線（{} 毫秒），憑證相符", "Connected ({} ms), certificate pinned"),
    /// Not reachable.
    GatewayUnreachable => ("無法連線", "Cannot connect"),
    /// The certificate is not the pinned one.
    GatewayNotPinned => ("憑證與設定不符", "Certificate does not match"),
    /// The certificate is not trusted.
    GatewayUntrusted => ("憑證不受信任", "Certificate not trusted"),
    /// Advice: check the network.
    AdviceCheckNetwork => ("請檢查 Wi-Fi 或行動數據，再按「重新檢查」。", "Check Wi-Fi or mobile data, then tap Check again."),
    /// Advice: the connection is not the gateway's.
    AdviceNotPinned => ("請勿交易：主機憑證與設定不符，連線可能遭到攔截，請聯絡客服。", "Do not take payments: the gateway's certificate is not the expected one and the connection may be intercepted. Call support."),
    /// Advice: the certificate is invalid.
    AdviceUntrusted => ("請勿交易：主機憑證無效或已過期，請聯絡客服。", "Do not take payments: the gateway's certificate is invalid or expired. Call support."),
    /// Advice: a slow network.
    AdviceSlowNetwork => ("網路速度慢，交易可能逾時；請移到訊號較好的位置。", "The network is slow and payments may time out: move to a spot with a better signal."),
    /// Label: the gateway's certificate.
    CertificateLabel => ("主機憑證效期", "Gateway certificate"),
    /// Days until it expires.
    ExpiresInDays => ("{} 天後到期", "Expires in {} days"),
    /// Days since it expired.
    ExpiredDaysAgo => ("已過期 {} 天", "Expired {} days ago"),
    /// Advice: renew soon.
    AdviceRenewCertificate => ("憑證即將到期，請通知管理員更新。", "The certificate expires soon: tell your administrator to renew it."),
    /// Advice: expired.
    AdviceCertificateExpired => ("憑證已過期，請聯絡客服。", "The certificate has expired: call support."),
    /// Advice: the expiry cannot be read.
    AdviceCertificateUnreadable => ("無法確認憑證到期日，請通知管理員。", "The certificate's expiry cannot be read: tell your administrator."),
    /// Label: the clock.
    ClockLabel => ("手機時間", "Phone clock"),
    /// The clock matches.
    ClockMatches => ("與主機一致", "Matches the gateway"),
    /// Ahead of the gateway.
    ClockAhead => ("比主機快 {} 秒", "{} s ahead of the gateway"),
    /// Behind the gateway.
    ClockBehind => ("比主機慢 {} 秒", "{} s behind the gateway"),
    /// Advice: set the clock to automatic.
    AdviceSetClock => ("手機時間不準，請在設定中開啟「自動設定日期與時間」。", "The phone's clock is off: turn on automatic date and time in Settings."),
    /// Advice: the gateway's time cannot be read.
    AdviceClockUnreadable => ("無法讀取主機時間，請稍後重新檢查。", "The gateway's time cannot be read: check again later."),
    /// Label: the app's version.
    AppVersionLabel => ("軟體版本", "App version"),
    /// This version and the newest.
    VersionAndLatest => ("{}（最新 {}）", "{} (latest {})"),
    /// Advice: update before taking payments.
    AdviceUpdateNow => ("此版本已停止支援，請先更新 App 再交易。", "This version is no longer allowed: update the app before taking payments."),
    /// Advice: update soon.
    AdviceUpdateSoon => ("已有新版本（含安全性更新），請盡快更新。", "A newer version with security fixes is out: update soon."),
    /// Advice: the versions cannot be read.
    AdviceVersionsUnreadable => ("無法讀取最新版本資訊，請稍後重新檢查。", "The newest version cannot be read: check again later."),
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

    #[test]
    fn both_languages_leave_room_for_the_same_values() {
        for text in Text::ALL {
            let zh = text.get(Locale::ZhTw).matches("{}").count();
            let en = text.get(Locale::En).matches("{}").count();
            assert_eq!(zh, en, "{text:?}");
        }
        assert_eq!(
            Text::ReaderSerialFirmware.fill(Locale::En, &["SIM-1", "2.1"]),
            "Serial SIM-1 · firmware 2.1"
        );
        assert_eq!(
            Text::ReaderSerialFirmware.fill(Locale::ZhTw, &["SIM-1", "2.1"]),
            "序號 SIM-1 · 韌體 2.1"
        );
        assert_eq!(
            Text::CheckAgain.fill(Locale::En, &["unused"]),
            "Check again"
        );
    }
}
