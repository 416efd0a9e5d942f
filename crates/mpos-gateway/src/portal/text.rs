//! Every word the merchant portal shows, in Traditional Chinese and English.
//! Templates hold markup only; what they say comes from here.

use crate::audit::Action;
use mpos_wire::api::{SettlementTrigger, TxnKind, TxnStatus, UserStatus};
use mpos_wire::EntryMode;

/// The portal's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// 繁體中文 (the default).
    ZhTw,
    /// English.
    En,
}

impl Locale {
    /// The cookie and query value: `zh-TW` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhTw => "zh-TW",
            Locale::En => "en",
        }
    }

    /// The locale of a cookie or query value.
    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "zh-TW" => Some(Locale::ZhTw),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The HTML `lang` attribute.
    pub fn html_lang(self) -> &'static str {
        match self {
            Locale::ZhTw => "zh-Hant-TW",
            Locale::En => "en",
        }
    }

    /// The other language (the switch in the header offers it).
    pub fn other(self) -> Locale {
        match self {
            Locale::ZhTw => Locale::En,
            Locale::En => Locale::ZhTw,
        }
    }

    /// The words of this locale.
    pub fn text(self) -> &'static Text {
        match self {
            Locale::ZhTw => &ZH_TW,
            Locale::En => &EN,
        }
    }
}

/// The words of one locale.
#[derive(Debug)]
pub struct Text {
    /// Name of this language, in itself (the switch shows the other's).
    pub language_name: &'static str,
    /// The portal's name.
    pub portal: &'static str,
    /// Navigation: phone users.
    pub nav_users: &'static str,
    /// Navigation: transactions.
    pub nav_transactions: &'static str,
    /// Navigation: settlement.
    pub nav_settlement: &'static str,
    /// Navigation: audit log.
    pub nav_audit: &'static str,
    /// Navigation: API tokens.
    pub nav_tokens: &'static str,
    /// Sign out button.
    pub sign_out: &'static str,
    /// Signed-in-as prefix.
    pub signed_in_as: &'static str,
    /// Sign-in title.
    pub sign_in_title: &'static str,
    /// Administrator account label.
    pub username: &'static str,
    /// Password label.
    pub password: &'static str,
    /// Sign-in button.
    pub sign_in: &'static str,
    /// Wrong name or password.
    pub wrong_credentials: &'static str,
    /// Locked, with the time following.
    pub locked_until: &'static str,
    /// Too many attempts, try later.
    pub too_many_attempts: &'static str,
    /// The form expired (CSRF token missing or stale).
    pub form_expired: &'static str,
    /// Signed out notice.
    pub signed_out: &'static str,
    /// Session ended notice (idle timeout).
    pub session_ended: &'static str,
    /// Second-factor title.
    pub second_factor_title: &'static str,
    /// Second-factor instructions.
    pub second_factor_help: &'static str,
    /// Code label.
    pub code: &'static str,
    /// Verify button.
    pub verify: &'static str,
    /// Wrong code.
    pub wrong_code: &'static str,
    /// Enrolment title.
    pub enrol_title: &'static str,
    /// Enrolment instructions.
    pub enrol_help: &'static str,
    /// Label of the secret typed by hand.
    pub enrol_secret: &'static str,
    /// Recovery codes title.
    pub recovery_title: &'static str,
    /// Recovery codes instructions.
    pub recovery_help: &'static str,
    /// Continue button.
    pub continue_label: &'static str,
    /// Phone users title.
    pub users_title: &'static str,
    /// Add user button / title.
    pub add_user: &'static str,
    /// Name label.
    pub name: &'static str,
    /// Mobile number label.
    pub phone: &'static str,
    /// E-mail label.
    pub email: &'static str,
    /// Account label.
    pub account: &'static str,
    /// Account hint (optional).
    pub account_hint: &'static str,
    /// Terminal label.
    pub terminal: &'static str,
    /// Status label.
    pub status: &'static str,
    /// Limit per sale.
    pub limit_per_transaction: &'static str,
    /// Limit per day.
    pub limit_per_day: &'static str,
    /// Limit per refund.
    pub limit_refund: &'static str,
    /// Hint: NT$ whole dollars; empty refund limit = same as per sale.
    pub limits_hint: &'static str,
    /// Limits title.
    pub limits: &'static str,
    /// Save limits button.
    pub save_limits: &'static str,
    /// Create button.
    pub create: &'static str,
    /// Disable button.
    pub disable: &'static str,
    /// Enable button.
    pub enable: &'static str,
    /// Reset password button.
    pub reset_password: &'static str,
    /// Resend activation button.
    pub resend_activation: &'static str,
    /// Locked label.
    pub locked: &'static str,
    /// Created label.
    pub created: &'static str,
    /// No users yet.
    pub no_users: &'static str,
    /// Details link.
    pub details: &'static str,
    /// Notice: created.
    pub notice_created: &'static str,
    /// Notice: limits saved.
    pub notice_limits: &'static str,
    /// Notice: disabled.
    pub notice_disabled: &'static str,
    /// Notice: enabled.
    pub notice_enabled: &'static str,
    /// Notice: password reset.
    pub notice_reset: &'static str,
    /// Notice: activation resent.
    pub notice_resent: &'static str,
    /// Notice: saved but the messages failed.
    pub notice_delivery_failed: &'static str,
    /// Error: fix the form.
    pub fix_form: &'static str,
    /// Error: bad name.
    pub error_name: &'static str,
    /// Error: bad e-mail.
    pub error_email: &'static str,
    /// Error: bad mobile number.
    pub error_phone: &'static str,
    /// Error: bad limits.
    pub error_limits: &'static str,
    /// Error: bad account name.
    pub error_account: &'static str,
    /// Error: account name taken.
    pub error_account_taken: &'static str,
    /// Error: resend only before activation.
    pub error_not_pending: &'static str,
    /// Not found page.
    pub not_found: &'static str,
    /// Something failed; try again.
    pub server_error: &'static str,
    /// Transactions title.
    pub transactions_title: &'static str,
    /// Filter: from date.
    pub from_date: &'static str,
    /// Filter: to date.
    pub to_date: &'static str,
    /// Filter: user.
    pub user: &'static str,
    /// Filter: brand.
    pub brand: &'static str,
    /// Filter: settled or not.
    pub settlement_state: &'static str,
    /// Filter: last 4.
    pub last4: &'static str,
    /// Auth code label.
    pub auth_code: &'static str,
    /// Invoice number label.
    pub invoice_no: &'static str,
    /// Any (filter).
    pub any: &'static str,
    /// Filter button.
    pub filter: &'static str,
    /// CSV export link.
    pub export_csv: &'static str,
    /// Date/time label.
    pub date_time: &'static str,
    /// Kind label.
    pub kind: &'static str,
    /// Amount label.
    pub amount: &'static str,
    /// Card label.
    pub card: &'static str,
    /// Entry mode label.
    pub entry: &'static str,
    /// Settled label.
    pub settled: &'static str,
    /// Unsettled label.
    pub unsettled: &'static str,
    /// Matching count prefix.
    pub matching: &'static str,
    /// Previous page.
    pub previous: &'static str,
    /// Next page.
    pub next: &'static str,
    /// Page label.
    pub page: &'static str,
    /// No transactions.
    pub no_transactions: &'static str,
    /// Filter error: date.
    pub error_date: &'static str,
    /// Filter error: last 4.
    pub error_last4: &'static str,
    /// Transaction title.
    pub transaction_title: &'static str,
    /// Receipt title.
    pub receipt: &'static str,
    /// Merchant label.
    pub merchant: &'static str,
    /// Signature title.
    pub signature: &'static str,
    /// No signature needed.
    pub no_signature: &'static str,
    /// Signature missing.
    pub signature_missing: &'static str,
    /// Refunded so far.
    pub refunded: &'static str,
    /// Batch label.
    pub batch: &'static str,
    /// Response label.
    pub response: &'static str,
    /// Open the hosted e-receipt.
    pub open_receipt: &'static str,
    /// Settlement title.
    pub settlement_title: &'static str,
    /// Pending captures title.
    pub pending_title: &'static str,
    /// Cut-off sentence prefix.
    pub cutoff: &'static str,
    /// Cut-off explanation.
    pub cutoff_help: &'static str,
    /// Batches title.
    pub batches_title: &'static str,
    /// Business date.
    pub business_date: &'static str,
    /// Closed at.
    pub closed_at: &'static str,
    /// Trigger.
    pub trigger: &'static str,
    /// Sales.
    pub sales: &'static str,
    /// Refunds.
    pub refunds: &'static str,
    /// Net.
    pub net: &'static str,
    /// Count.
    pub count: &'static str,
    /// Total label.
    pub total: &'static str,
    /// No batches.
    pub no_batches: &'static str,
    /// Nothing pending.
    pub nothing_pending: &'static str,
    /// Audit log title.
    pub audit_title: &'static str,
    /// Audit: when.
    pub when: &'static str,
    /// Audit: administrator.
    pub administrator: &'static str,
    /// Audit: action.
    pub action: &'static str,
    /// Audit: target.
    pub target: &'static str,
    /// Audit: detail.
    pub detail: &'static str,
    /// Audit: from address.
    pub client: &'static str,
    /// Audit: read-only note.
    pub audit_help: &'static str,
    /// API tokens title.
    pub tokens_title: &'static str,
    /// API tokens help.
    pub tokens_help: &'static str,
    /// Label field.
    pub label: &'static str,
    /// Create token button.
    pub create_token: &'static str,
    /// Revoke button.
    pub revoke: &'static str,
    /// Revoked label.
    pub revoked: &'static str,
    /// Active label.
    pub active: &'static str,
    /// New token shown once.
    pub token_once: &'static str,
    /// Owner.
    pub owner: &'static str,
    /// Notice: revoked.
    pub notice_revoked: &'static str,
    /// Error: label.
    pub error_label: &'static str,
    /// Receipt page: expired title.
    pub receipt_expired: &'static str,
}

/// 繁體中文.
pub static ZH_TW: Text = Text {
    language_name: "中文",
    portal: "特店入口網站",
    nav_users: "行動裝置使用者",
    nav_transactions: "交易查詢",
    nav_settlement: "結帳",
    nav_audit: "稽核紀錄",
    nav_tokens: "API 金鑰",
    sign_out: "登出",
    signed_in_as: "管理者：",
    sign_in_title: "管理者登入",
    username: "管理者帳號",
    password: "密碼",
    sign_in: "登入",
    wrong_credentials: "帳號或密碼錯誤，請重新輸入。",
    locked_until: "錯誤次數過多，帳號鎖定至",
    too_many_attempts: "嘗試次數過多，請稍候一分鐘再試。",
    form_expired: "表單已逾時，請重新操作。",
    signed_out: "您已登出。",
    session_ended: "閒置過久，請重新登入。",
    second_factor_title: "兩步驟驗證",
    second_factor_help: "請輸入驗證器 App 顯示的 6 位數驗證碼，或一組備援碼。",
    code: "驗證碼",
    verify: "驗證",
    wrong_code: "驗證碼錯誤或已使用，請輸入新的驗證碼。",
    enrol_title: "設定兩步驟驗證",
    enrol_help: "首次登入須設定驗證器：用驗證器 App（如 Google Authenticator）掃描 QR Code，再輸入它顯示的 6 位數驗證碼。",
    enrol_secret: "無法掃描時，手動輸入金鑰：",
    recovery_title: "備援碼",
    recovery_help: "請將下列備援碼抄寫並妥善保存。手機遺失時，每組可代替驗證碼登入一次。此頁面只會出現這一次。",
    continue_label: "我已保存，繼續",
    users_title: "行動裝置使用者",
    add_user: "新增使用者",
    name: "姓名",
    phone: "手機號碼",
    email: "電子郵件",
    account: "帳號",
    account_hint: "可留空，系統自動產生",
    terminal: "端末機代號",
    status: "狀態",
    limit_per_transaction: "單筆交易限額（元）",
    limit_per_day: "單日交易限額（元）",
    limit_refund: "單筆退貨限額（元）",
    limits_hint: "新台幣整數元。退貨限額留空則與單筆交易限額相同。",
    limits: "交易限額",
    save_limits: "儲存限額",
    create: "新增並寄送啟用通知",
    disable: "停用",
    enable: "啟用",
    reset_password: "重設密碼",
    resend_activation: "重寄啟用通知",
    locked: "鎖定中",
    created: "建立時間",
    no_users: "尚無使用者。請按「新增使用者」。",
    details: "明細",
    notice_created: "使用者已建立。對方將收到電子郵件（帳號與預設密碼）及簡訊（啟動驗證碼），首次登入時輸入並設定 6 碼新密碼。",
    notice_limits: "限額已更新，下一筆交易起生效。",
    notice_disabled: "使用者已停用，已登入的裝置立即登出，無法再登入。",
    notice_enabled: "使用者已重新啟用，可再登入。",
    notice_reset: "密碼已重設。對方將收到電子郵件（新的預設密碼）及簡訊（新的啟動驗證碼），原密碼失效。",
    notice_resent: "已重寄啟用通知：新的預設密碼（電子郵件）與啟動驗證碼（簡訊），先前的失效。",
    notice_delivery_failed: "已儲存，但電子郵件或簡訊未能送出。請稍後按「重設密碼」重新寄送。",
    fix_form: "請修正標示的欄位。",
    error_name: "姓名須為 1 至 100 個字。",
    error_email: "電子郵件格式不正確。",
    error_phone: "手機號碼須為 09 開頭的 10 碼，或 +8869 開頭。",
    error_limits: "限額須為大於 0 的整數元。",
    error_account: "帳號須為 3 至 32 個英數字或 . _ -。",
    error_account_taken: "此帳號已被使用，請換一個或留空。",
    error_not_pending: "此使用者已啟用，請改用「重設密碼」。",
    not_found: "找不到此頁面或資料。",
    server_error: "系統暫時無法處理，請稍後再試。",
    transactions_title: "交易查詢",
    from_date: "起日",
    to_date: "迄日",
    user: "使用者",
    brand: "卡別",
    settlement_state: "結帳狀態",
    last4: "卡號末四碼",
    auth_code: "授權碼",
    invoice_no: "調閱編號",
    any: "全部",
    filter: "查詢",
    export_csv: "匯出 CSV",
    date_time: "交易時間",
    kind: "交易類別",
    amount: "金額",
    card: "卡號",
    entry: "輸入方式",
    settled: "已結帳",
    unsettled: "未結帳",
    matching: "符合筆數：",
    previous: "上一頁",
    next: "下一頁",
    page: "頁",
    no_transactions: "沒有符合條件的交易。",
    error_date: "日期格式須為 YYYY-MM-DD。",
    error_last4: "末四碼須為 4 位數字。",
    transaction_title: "交易明細",
    receipt: "簽單",
    merchant: "特店",
    signature: "持卡人簽名",
    no_signature: "免簽名",
    signature_missing: "簽名未上傳",
    refunded: "已退貨金額",
    batch: "批次",
    response: "回應",
    open_receipt: "開啟電子簽單",
    settlement_title: "結帳",
    pending_title: "今日待結帳交易",
    cutoff: "結帳截止時間：",
    cutoff_help: "每日 23:00（台北時間）自動結帳；之後的交易計入次一營業日。",
    batches_title: "結帳批次",
    business_date: "營業日",
    closed_at: "結帳時間",
    trigger: "方式",
    sales: "銷售",
    refunds: "退貨",
    net: "淨額",
    count: "筆數",
    total: "合計",
    no_batches: "尚無結帳批次。",
    nothing_pending: "目前沒有待結帳交易。",
    audit_title: "稽核紀錄",
    when: "時間",
    administrator: "管理者",
    action: "動作",
    target: "對象",
    detail: "內容",
    client: "來源位址",
    audit_help: "所有管理動作皆記錄於此，紀錄無法修改或刪除。",
    tokens_title: "API 金鑰",
    tokens_help: "供自動化程式呼叫管理 API（Authorization: Bearer）。金鑰只在建立時顯示一次；不再使用時請撤銷。",
    label: "用途說明",
    create_token: "建立金鑰",
    revoke: "撤銷",
    revoked: "已撤銷",
    active: "使用中",
    token_once: "新金鑰（只顯示這一次，請立即保存）：",
    owner: "擁有者",
    notice_revoked: "金鑰已撤銷，使用它的請求將被拒絕。",
    error_label: "用途說明須為 1 至 60 個字。",
    receipt_expired: "簽單已下架",
};

/// English.
pub static EN: Text = Text {
    language_name: "English",
    portal: "Merchant portal",
    nav_users: "Phone users",
    nav_transactions: "Transactions",
    nav_settlement: "Settlement",
    nav_audit: "Audit log",
    nav_tokens: "API tokens",
    sign_out: "Sign out",
    signed_in_as: "Administrator: ",
    sign_in_title: "Administrator sign-in",
    username: "Administrator account",
    password: "Password",
    sign_in: "Sign in",
    wrong_credentials: "Wrong account or password. Please try again.",
    locked_until: "Too many wrong attempts. The account is locked until",
    too_many_attempts: "Too many attempts. Wait a minute and try again.",
    form_expired: "This form has expired. Please try again.",
    signed_out: "You have signed out.",
    session_ended: "You were idle too long. Please sign in again.",
    second_factor_title: "Two-step verification",
    second_factor_help: "Enter the 6-digit code your authenticator app shows, or one of your recovery codes.",
    code: "Code",
    verify: "Verify",
    wrong_code: "Wrong or already used code. Enter a new code.",
    enrol_title: "Set up two-step verification",
    enrol_help: "Your first sign-in needs an authenticator: scan the QR code with an authenticator app (such as Google Authenticator), then enter the 6-digit code it shows.",
    enrol_secret: "If you cannot scan, type this key:",
    recovery_title: "Recovery codes",
    recovery_help: "Write these recovery codes down and keep them safe. If you lose your phone, each one signs you in once instead of a code. This page is shown only once.",
    continue_label: "I have saved them, continue",
    users_title: "Phone users",
    add_user: "Add a user",
    name: "Name",
    phone: "Mobile number",
    email: "E-mail",
    account: "Account",
    account_hint: "Leave empty to generate one",
    terminal: "Terminal",
    status: "Status",
    limit_per_transaction: "Limit per sale (NT$)",
    limit_per_day: "Limit per day (NT$)",
    limit_refund: "Limit per refund (NT$)",
    limits_hint: "Whole NT dollars. An empty refund limit means the same as the limit per sale.",
    limits: "Limits",
    save_limits: "Save limits",
    create: "Add and send the activation",
    disable: "Disable",
    enable: "Enable",
    reset_password: "Reset password",
    resend_activation: "Resend activation",
    locked: "Locked",
    created: "Created",
    no_users: "No users yet. Choose \"Add a user\".",
    details: "Details",
    notice_created: "User added. They will receive an e-mail (account and default password) and an SMS (activation code); at first login they enter both and set a 6-digit password.",
    notice_limits: "Limits saved; they apply from the next transaction.",
    notice_disabled: "User disabled: their phone is signed out at once and cannot log in.",
    notice_enabled: "User enabled again: they can log in.",
    notice_reset: "Password reset. They will receive an e-mail (a new default password) and an SMS (a new activation code); the old password no longer works.",
    notice_resent: "Activation sent again: a new default password (e-mail) and activation code (SMS); the earlier ones no longer work.",
    notice_delivery_failed: "Saved, but the e-mail or SMS could not be sent. Use \"Reset password\" later to send them again.",
    fix_form: "Please correct the marked fields.",
    error_name: "The name must be 1 to 100 characters.",
    error_email: "The e-mail address is not valid.",
    error_phone: "The mobile number must be 10 digits starting 09, or start +8869.",
    error_limits: "Limits must be whole NT dollars above zero.",
    error_account: "The account must be 3 to 32 letters, digits, '.', '_' or '-'.",
    error_account_taken: "This account is taken. Choose another or leave it empty.",
    error_not_pending: "This user has already activated; use \"Reset password\".",
    not_found: "This page or record does not exist.",
    server_error: "The system could not handle this. Please try again later.",
    transactions_title: "Transactions",
    from_date: "From",
    to_date: "To",
    user: "User",
    brand: "Brand",
    settlement_state: "Settlement",
    last4: "Card last 4",
    auth_code: "Auth code",
    invoice_no: "Invoice no.",
    any: "Any",
    filter: "Search",
    export_csv: "Export CSV",
    date_time: "Date and time",
    kind: "Type",
    amount: "Amount",
    card: "Card",
    entry: "Entry",
    settled: "Settled",
    unsettled: "Unsettled",
    matching: "Matching: ",
    previous: "Previous",
    next: "Next",
    page: "Page",
    no_transactions: "No transaction matches.",
    error_date: "Dates must be YYYY-MM-DD.",
    error_last4: "The last 4 must be 4 digits.",
    transaction_title: "Transaction",
    receipt: "Receipt",
    merchant: "Merchant",
    signature: "Cardholder signature",
    no_signature: "No signature needed",
    signature_missing: "Signature not uploaded",
    refunded: "Refunded so far",
    batch: "Batch",
    response: "Response",
    open_receipt: "Open the e-receipt",
    settlement_title: "Settlement",
    pending_title: "Today's captures awaiting settlement",
    cutoff: "Cut-off: ",
    cutoff_help: "Settlement runs automatically every day at 23:00 Asia/Taipei; later transactions count toward the next business day.",
    batches_title: "Settlement batches",
    business_date: "Business date",
    closed_at: "Closed at",
    trigger: "Trigger",
    sales: "Sales",
    refunds: "Refunds",
    net: "Net",
    count: "Count",
    total: "Total",
    no_batches: "No batches yet.",
    nothing_pending: "Nothing awaits settlement.",
    audit_title: "Audit log",
    when: "When",
    administrator: "Administrator",
    action: "Action",
    target: "Target",
    detail: "Detail",
    client: "From",
    audit_help: "Every administrative action is recorded here; entries cannot be changed or deleted.",
    tokens_title: "API tokens",
    tokens_help: "For programs calling the admin API (Authorization: Bearer). A token is shown once, when created; revoke it when no longer used.",
    label: "What it is for",
    create_token: "Create a token",
    revoke: "Revoke",
    revoked: "Revoked",
    active: "Active",
    token_once: "New token (shown only this once; save it now):",
    owner: "Owner",
    notice_revoked: "Token revoked: requests using it are refused.",
    error_label: "The description must be 1 to 60 characters.",
    receipt_expired: "Receipt expired",
};

/// A phone user's status.
pub fn user_status(locale: Locale, status: UserStatus) -> &'static str {
    match (locale, status) {
        (Locale::ZhTw, UserStatus::PendingActivation) => "待啟用",
        (Locale::ZhTw, UserStatus::Active) => "使用中",
        (Locale::ZhTw, UserStatus::Disabled) => "已停用",
        (Locale::En, UserStatus::PendingActivation) => "Awaiting activation",
        (Locale::En, UserStatus::Active) => "Active",
        (Locale::En, UserStatus::Disabled) => "Disabled",
    }
}

/// A transaction's kind.
pub fn txn_kind(locale: Locale, kind: TxnKind) -> &'static str {
    match (locale, kind) {
        (Locale::ZhTw, TxnKind::Sale) => "一般交易",
        (Locale::ZhTw, TxnKind::Refund) => "退貨",
        (Locale::En, TxnKind::Sale) => "Sale",
        (Locale::En, TxnKind::Refund) => "Refund",
    }
}

/// A transaction's status.
pub fn txn_status(locale: Locale, status: TxnStatus) -> &'static str {
    match (locale, status) {
        (Locale::ZhTw, TxnStatus::Pending) => "處理中",
        (Locale::ZhTw, TxnStatus::Approved) => "核准",
        (Locale::ZhTw, TxnStatus::Declined) => "拒絕",
        (Locale::ZhTw, TxnStatus::Voided) => "已取消",
        (Locale::ZhTw, TxnStatus::Reversed) => "已沖正",
        (Locale::En, TxnStatus::Pending) => "Pending",
        (Locale::En, TxnStatus::Approved) => "Approved",
        (Locale::En, TxnStatus::Declined) => "Declined",
        (Locale::En, TxnStatus::Voided) => "Voided",
        (Locale::En, TxnStatus::Reversed) => "Reversed",
    }
}

/// How a card was read.
pub fn entry_mode(locale: Locale, mode: EntryMode) -> &'static str {
    match (locale, mode) {
        (Locale::ZhTw, EntryMode::Chip) => "晶片",
        (Locale::ZhTw, EntryMode::Swipe) => "磁條",
        (Locale::ZhTw, EntryMode::FallbackSwipe) => "磁條（晶片失敗）",
        (Locale::En, EntryMode::Chip) => "Chip",
        (Locale::En, EntryMode::Swipe) => "Swipe",
        (Locale::En, EntryMode::FallbackSwipe) => "Fallback swipe",
    }
}

/// How a batch was closed.
pub fn trigger(locale: Locale, trigger: SettlementTrigger) -> &'static str {
    match (locale, trigger) {
        (Locale::ZhTw, SettlementTrigger::Manual) => "手動",
        (Locale::ZhTw, SettlementTrigger::Automatic) => "自動（23:00）",
        (Locale::En, SettlementTrigger::Manual) => "Manual",
        (Locale::En, SettlementTrigger::Automatic) => "Automatic (23:00)",
    }
}

/// An audit-log action.
pub fn action(locale: Locale, action: Action) -> &'static str {
    use Action::*;
    match locale {
        Locale::ZhTw => match action {
            AdminCreated => "建立管理者",
            SignedIn => "登入",
            SignInFailed => "登入失敗",
            SecondFactorFailed => "驗證碼錯誤",
            RecoveryCodeUsed => "使用備援碼",
            SecondFactorEnrolled => "設定兩步驟驗證",
            SignedOut => "登出",
            UserCreated => "新增使用者",
            UserLimitsChanged => "變更限額",
            UserDisabled => "停用使用者",
            UserEnabled => "啟用使用者",
            UserPasswordReset => "重設密碼",
            UserActivationResent => "重寄啟用通知",
            ApiTokenCreated => "建立 API 金鑰",
            ApiTokenRevoked => "撤銷 API 金鑰",
            TransactionsExported => "匯出交易",
            TransactionViewed => "檢視交易明細",
        },
        Locale::En => match action {
            AdminCreated => "Administrator created",
            SignedIn => "Signed in",
            SignInFailed => "Sign-in failed",
            SecondFactorFailed => "Wrong verification code",
            RecoveryCodeUsed => "Recovery code used",
            SecondFactorEnrolled => "Two-step verification set up",
            SignedOut => "Signed out",
            UserCreated => "User added",
            UserLimitsChanged => "Limits changed",
            UserDisabled => "User disabled",
            UserEnabled => "User enabled",
            UserPasswordReset => "Password reset",
            UserActivationResent => "Activation resent",
            ApiTokenCreated => "API token created",
            ApiTokenRevoked => "API token revoked",
            TransactionsExported => "Transactions exported",
            TransactionViewed => "Transaction viewed",
        },
    }
}
