//! Request and response bodies of the gateway's HTTP API, and its paths.
//!
//! Timestamps are RFC 3339 strings in UTC; business dates are `YYYY-MM-DD`
//! in Asia/Taipei. Every financial POST carries an `Idempotency-Key` header.

use crate::{Brand, CardPayload, EntryMode, MaskedPan, Money};
use serde::{Deserialize, Serialize};

/// Header carrying the client's idempotency key on financial requests.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// URL paths of the API.
pub mod paths {
    /// POST: log in with user name and password.
    pub const LOGIN: &str = "/v1/app/login";
    /// POST: enter the SMS activation code (first login).
    pub const ACTIVATE: &str = "/v1/app/activate";
    /// POST: set a new 6-digit password.
    pub const PASSWORD: &str = "/v1/app/password";
    /// POST: re-enter the password (before the transaction query).
    pub const VERIFY_PASSWORD: &str = "/v1/app/verify-password";
    /// POST: end the session.
    pub const LOGOUT: &str = "/v1/app/logout";
    /// GET: the terminal configuration (brands, signature rules).
    pub const TERMINAL_CONFIG: &str = "/v1/app/terminal-config";
    /// GET, no session: the gateway's clock and the app versions it
    /// announces, for the phone's pre-shift check.
    pub const APP_STATUS: &str = "/v1/app/status";
    /// POST: authorize a sale.
    pub const SALES: &str = "/v1/app/sales";
    /// POST: refund against an original authorization code.
    pub const REFUNDS: &str = "/v1/app/refunds";
    /// POST: void an unsettled transaction; answers the voided `TransactionSummary`.
    pub const VOIDS: &str = "/v1/app/voids";
    /// POST: reverse a request whose outcome the phone does not know.
    pub const REVERSALS: &str = "/v1/app/reversals";
    /// GET: search unsettled transactions (`last4`, `auth_code`, `invoice_no`).
    pub const TRANSACTIONS: &str = "/v1/app/transactions";
    /// GET: one transaction; append `/{id}`.
    pub const TRANSACTION: &str = "/v1/app/transactions/{id}";
    /// POST: the cardholder's signature; `{id}` is the transaction; answers its `TransactionSummary`.
    pub const SIGNATURE: &str = "/v1/app/transactions/{id}/signature";
    /// POST: send the e-receipt by e-mail or SMS.
    pub const RECEIPT: &str = "/v1/app/transactions/{id}/receipt";
    /// GET: what would be settled now.
    pub const SETTLEMENT_PREVIEW: &str = "/v1/app/settlement";
    /// POST: settle now.
    pub const SETTLE: &str = "/v1/app/settlement";
    /// GET: hosted receipt page; `{token}` comes from the receipt URL.
    pub const RECEIPT_PAGE: &str = "/r/{token}";
    /// POST: create a phone user (admin).
    pub const ADMIN_USERS: &str = "/v1/admin/users";
    /// POST: disable a phone user (admin).
    pub const ADMIN_USER_DISABLE: &str = "/v1/admin/users/{id}/disable";
    /// POST: reset a phone user's password and send new credentials (admin).
    pub const ADMIN_USER_RESET: &str = "/v1/admin/users/{id}/reset-password";
    /// GET: every transaction, settled or not (admin).
    pub const ADMIN_TRANSACTIONS: &str = "/v1/admin/transactions";
    /// GET: settlement batches (admin).
    pub const ADMIN_BATCHES: &str = "/v1/admin/batches";
    /// GET: this document, OpenAPI 3.1.
    pub const OPENAPI: &str = "/v1/openapi.json";
    /// GET: liveness.
    pub const HEALTH: &str = "/health";
    /// PUT: set the server clock (only when started with a test clock).
    pub const TEST_CLOCK: &str = "/v1/test/clock";

    /// Fills `{id}` or `{token}` in a path template.
    pub fn fill(template: &str, value: &str) -> String {
        template
            .replacen("{id}", value, 1)
            .replacen("{token}", value, 1)
    }
}

/// Where a phone user is in the first-login sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// Logged in with the default password; the SMS code comes next.
    ActivationRequired,
    /// Activated; a new 6-digit password comes next.
    PasswordChangeRequired,
    /// Fully logged in.
    Ready,
}

/// Body of `POST /v1/app/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Account name from the activation e-mail.
    pub username: String,
    /// Default password (first login) or the user's 6-digit password.
    pub password: String,
    /// Reader serial, so the gateway knows which reader the user works with.
    /// The gateway refuses a login without one (`reader_required`).
    #[serde(default)]
    pub reader_serial: Option<String>,
}

/// Answer to a successful login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token for later requests.
    pub session_token: String,
    /// When the session ends, RFC 3339.
    pub expires_at: String,
    /// What the user must do next.
    pub stage: SessionStage,
    /// Who is logged in.
    pub user: UserProfile,
}

/// Body of `POST /v1/app/activate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// Code from the activation SMS.
    pub activation_code: String,
}

/// Body of `POST /v1/app/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// Exactly 6 digits.
    pub new_password: String,
    /// Required except during first login.
    #[serde(default)]
    pub current_password: Option<String>,
}

/// Body of `POST /v1/app/verify-password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyPasswordRequest {
    /// The user's password.
    pub password: String,
}

/// Answer that reports the session's new stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageResponse {
    /// The session's stage after the request.
    pub stage: SessionStage,
}

/// A phone user as the phone sees itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    /// Gateway id of the user.
    pub user_id: String,
    /// Account name.
    pub username: String,
    /// Person's name.
    pub display_name: String,
    /// Merchant shown on screens and receipts.
    pub merchant_name: String,
    /// Transaction limits.
    pub limits: Limits,
}

/// Transaction limits the administrator sets per phone user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Largest single sale.
    pub per_transaction: Money,
    /// Largest total of sales in one business day.
    pub per_day: Money,
    /// Largest single refund; `None` means the same as `per_transaction`.
    #[serde(default)]
    pub refund_per_transaction: Option<Money>,
}

/// When a brand's transactions need the cardholder's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum SignatureRule {
    /// Every transaction is signed.
    Always,
    /// No transaction of the brand is signed.
    Never,
    /// Only amounts strictly above `minor` are signed.
    Above {
        /// Threshold in minor units.
        minor: u64,
    },
}

impl SignatureRule {
    /// Whether an amount needs a signature under this rule.
    pub fn requires_signature(self, amount: Money) -> bool {
        match self {
            SignatureRule::Always => true,
            SignatureRule::Never => false,
            SignatureRule::Above { minor } => amount.minor > minor,
        }
    }
}

/// The acquirer's settings for one brand at this merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandRule {
    /// The brand.
    pub brand: Brand,
    /// Whether the merchant accepts it.
    pub accepted: bool,
    /// When a signature is needed.
    pub signature: SignatureRule,
    /// Whether the brand asks for an online PIN.
    pub pin_required: bool,
    /// With `pin_required`, the smallest amount (minor units) that asks
    /// for it; 0: every amount.
    #[serde(default)]
    pub pin_from_minor: u64,
}

impl BrandRule {
    /// Whether a sale of `amount` on this brand needs the cardholder's PIN.
    pub fn requires_pin(&self, amount: Money) -> bool {
        self.pin_required && amount.minor >= self.pin_from_minor
    }
}

/// `GET /v1/app/terminal-config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalConfig {
    /// Acquirer's merchant id.
    pub merchant_id: String,
    /// Merchant name on screens and receipts.
    pub merchant_name: String,
    /// Terminal id of this phone user.
    pub terminal_id: String,
    /// Currency of every amount.
    pub currency: crate::Currency,
    /// One rule per brand.
    pub brands: Vec<BrandRule>,
    /// IANA time zone of business dates (`Asia/Taipei`).
    pub time_zone: String,
    /// Local time of the automatic settlement (`23:00`).
    pub auto_settle_at: String,
}

impl TerminalConfig {
    /// The rule for a brand, if the merchant has one.
    pub fn brand_rule(&self, brand: Brand) -> Option<&BrandRule> {
        self.brands.iter().find(|rule| rule.brand == brand)
    }

    /// Whether a transaction of this brand and amount needs a signature.
    /// Unknown brands always do.
    pub fn requires_signature(&self, brand: Brand, amount: Money) -> bool {
        self.brand_rule(brand)
            .is_none_or(|rule| rule.signature.requires_signature(amount))
    }

    /// Whether a sale of this brand and amount needs the cardholder's PIN
    /// (refunds never ask). Unknown brands do not: the gateway refuses them.
    pub fn requires_pin(&self, brand: Brand, amount: Money) -> bool {
        self.brand_rule(brand)
            .is_some_and(|rule| rule.requires_pin(amount))
    }
}

/// `GET /v1/app/status`: what the phone's pre-shift check compares
/// itself with. Open to anyone: it names no merchant, user or transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppStatus {
    /// The gateway's time, RFC 3339 UTC with milliseconds.
    pub server_time: String,
    /// The newest app version (`MAJOR.MINOR.PATCH`); older ones should update.
    pub latest_app_version: String,
    /// The oldest app version still allowed to take payments.
    pub minimum_app_version: String,
}

/// Kind of a financial transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnKind {
    /// A purchase.
    Sale,
    /// Money back to the card.
    Refund,
}

/// Life-cycle state of a transaction at the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnStatus {
    /// Sent to the issuer, no answer yet.
    Pending,
    /// Approved by the issuer.
    Approved,
    /// Declined by the issuer.
    Declined,
    /// Voided by the merchant before settlement.
    Voided,
    /// Reversed because the phone did not learn the outcome.
    Reversed,
}

/// `POST /v1/app/sales`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaleRequest {
    /// Amount entered on the phone.
    pub amount: Money,
    /// Brand chosen on the phone.
    pub brand: Brand,
    /// Card data from the reader.
    pub card: CardPayload,
    /// The cardholder's PIN as the reader enciphered it, when the brand's
    /// rule asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<PinBlockPayload>,
}

/// The reader's enciphered PIN: ISO 9564 format 4 under AES DUKPT (format
/// 0 under TDES), bound to the card read by its KSN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinBlockPayload {
    /// The KSN of the card read: 24 (AES) or 20 (TDES) uppercase hex digits, as in `card.ksn`.
    pub ksn: String,
    /// The enciphered block: 32 (format 4) or 16 (format 0) uppercase hex digits.
    pub block: String,
}

/// `POST /v1/app/refunds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Amount to give back.
    pub amount: Money,
    /// Brand chosen on the phone.
    pub brand: Brand,
    /// Authorization code of the original sale.
    pub original_auth_code: String,
    /// Swiped card data.
    pub card: CardPayload,
}

/// `POST /v1/app/voids`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// Gateway id of the transaction to void.
    pub transaction_id: String,
}

/// Why the phone reverses a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReversalReason {
    /// No answer arrived in time.
    Timeout,
    /// The answer could not be read.
    MalformedResponse,
    /// The card refused the approval (EMV second GENERATE AC gave AAC).
    CardDeclinedAfterApproval,
    /// The app stopped before it learned the outcome.
    Interrupted,
}

/// `POST /v1/app/reversals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReversalRequest {
    /// The idempotency key of the request to reverse.
    pub original_idempotency_key: String,
    /// Why.
    pub reason: ReversalReason,
}

/// Answer to a reversal: once acknowledged, the original cannot charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReversalResponse {
    /// Always true in a 200 answer; the phone may stop retrying.
    pub acknowledged: bool,
    /// The transaction that was reversed, if the original request arrived.
    pub transaction_id: Option<String>,
}

/// One transaction as the phone shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionSummary {
    /// Gateway id.
    pub id: String,
    /// Sale or refund.
    pub kind: TxnKind,
    /// Current state.
    pub status: TxnStatus,
    /// Amount.
    pub amount: Money,
    /// Card brand.
    pub brand: Brand,
    /// Masked card number.
    pub masked_pan: MaskedPan,
    /// How the card was read.
    pub entry_mode: EntryMode,
    /// Issuer's authorization code (approved transactions).
    pub auth_code: Option<String>,
    /// 調閱編號: the terminal's 6-digit sequence number.
    pub invoice_no: String,
    /// ISO 8583 response code (`00` approved).
    pub response_code: String,
    /// Issuer's answer in words.
    pub response_text: String,
    /// When the gateway received it, RFC 3339.
    pub created_at: String,
    /// Business date (Asia/Taipei) its capture belongs to.
    pub business_date: String,
    /// Settlement batch once settled.
    pub batch_id: Option<String>,
    /// For sales: how much has been refunded.
    pub refunded: Money,
    /// For refunds: the sale refunded.
    pub original_transaction_id: Option<String>,
    /// Whether the receipt carries a signature.
    pub signed: bool,
    /// Hosted e-receipt page (the QR code encodes it).
    pub receipt_url: String,
}

impl TransactionSummary {
    /// Whether a settlement batch holds it.
    pub fn is_settled(&self) -> bool {
        self.batch_id.is_some()
    }
}

/// Answer to a sale or refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationResponse {
    /// The transaction, approved or declined.
    pub transaction: TransactionSummary,
    /// Whether the cardholder must sign (from the brand's rule).
    pub signature_required: bool,
    /// For an approved chip sale: the issuer's answer for the card's second GENERATE AC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_authentication: Option<IssuerAuthentication>,
}

/// The issuer authentication data (tag 91) the phone hands to the reader so
/// the chip can check the approval came from its issuer (ARPC method 2,
/// EMV Book 2 8.2.2): a card that cannot verify it declines (AAC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerAuthentication {
    /// The 4-byte authorisation response cryptogram, 8 hex digits.
    pub arpc_hex: String,
    /// The 4-byte card status update the ARPC covers, 8 hex digits.
    pub csu_hex: String,
    /// The authorisation response code (tag 8A), 2 characters such as `00`.
    pub arc: String,
}

/// A point on the signature pad, in a 0..=1000 square.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal, 0 (left) to 1000 (right).
    pub x: u16,
    /// Vertical, 0 (top) to 1000 (bottom).
    pub y: u16,
}

/// One pen-down-to-pen-up line of the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stroke {
    /// Points in drawing order.
    pub points: Vec<Point>,
}

/// `POST /v1/app/transactions/{id}/signature`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureRequest {
    /// The strokes, at least one with two points.
    pub strokes: Vec<Stroke>,
}

/// Where an e-receipt goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", content = "to", rename_all = "snake_case")]
pub enum ReceiptDestination {
    /// An e-mail address.
    Email(String),
    /// A mobile number (Taiwan `09xxxxxxxx` or `+8869xxxxxxxx`).
    Sms(String),
}

/// `POST /v1/app/transactions/{id}/receipt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendReceiptRequest {
    /// Destination.
    pub destination: ReceiptDestination,
}

/// Answer to a receipt request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReceiptResponse {
    /// The destination, partly masked, to confirm on screen.
    pub sent_to: String,
}

/// Query of `GET /v1/app/transactions`: any one criterion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionSearch {
    /// Last 4 digits of the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last4: Option<String>,
    /// Authorization code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
    /// 調閱編號.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_no: Option<String>,
}

/// A list of transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionList {
    /// Newest first.
    pub transactions: Vec<TransactionSummary>,
}

/// Count and amount of one brand in a settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandTotal {
    /// Brand.
    pub brand: Brand,
    /// Number of sales.
    pub sales_count: u32,
    /// Sum of sales.
    pub sales_total: Money,
    /// Number of refunds.
    pub refunds_count: u32,
    /// Sum of refunds.
    pub refunds_total: Money,
}

/// Totals of a set of captures: a preview or a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementTotals {
    /// Number of captures (sales and refunds).
    pub count: u32,
    /// Sales minus refunds; may not be negative in TWD practice, so refunds above sales are shown as zero net.
    pub net_total: Money,
    /// Number of sales.
    pub sales_count: u32,
    /// Sum of sales.
    pub sales_total: Money,
    /// Number of refunds.
    pub refunds_count: u32,
    /// Sum of refunds.
    pub refunds_total: Money,
    /// Per brand.
    pub per_brand: Vec<BrandTotal>,
}

/// `GET /v1/app/settlement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementPreview {
    /// What settling now would close.
    pub totals: SettlementTotals,
    /// Next automatic settlement, RFC 3339.
    pub next_auto_settlement: String,
}

/// What started a settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementTrigger {
    /// A user pressed "Settle now".
    Manual,
    /// The 23:00 job.
    Automatic,
}

/// A closed settlement batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    /// Batch id.
    pub id: String,
    /// Business date (Asia/Taipei) the batch closes.
    pub business_date: String,
    /// When it closed, RFC 3339.
    pub closed_at: String,
    /// Manual or automatic.
    pub trigger: SettlementTrigger,
    /// Totals.
    pub totals: SettlementTotals,
}

/// `POST /v1/app/settlement` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleResponse {
    /// The batch just closed.
    pub batch: BatchSummary,
}

/// Account state of a phone user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Created; first login not completed.
    PendingActivation,
    /// Active.
    Active,
    /// Disabled by the administrator.
    Disabled,
}

/// `POST /v1/admin/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Person's name.
    pub name: String,
    /// Mobile number for the activation SMS.
    pub phone: String,
    /// E-mail address for the activation notice.
    pub email: String,
    /// Account name; generated when absent.
    #[serde(default)]
    pub username: Option<String>,
    /// Limits.
    pub limits: Limits,
}

/// A phone user as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    /// Gateway id.
    pub id: String,
    /// Account name.
    pub username: String,
    /// Person's name.
    pub name: String,
    /// Mobile number.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Account state.
    pub status: UserStatus,
    /// Limits.
    pub limits: Limits,
    /// Terminal id assigned to the user.
    pub terminal_id: String,
    /// Locked until, RFC 3339, when locked.
    pub locked_until: Option<String>,
    /// Creation time, RFC 3339.
    pub created_at: String,
}

/// `GET /v1/admin/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    /// Oldest first.
    pub users: Vec<AdminUser>,
}

/// `GET /v1/admin/batches`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchList {
    /// Newest first.
    pub batches: Vec<BatchSummary>,
}

/// `PUT /v1/test/clock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetClockRequest {
    /// The time the server should believe it is, RFC 3339.
    pub now: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_rule_threshold_is_strictly_above() {
        let rule = SignatureRule::Above { minor: 300_000 };
        assert!(!rule.requires_signature(Money::twd_minor(300_000)));
        assert!(rule.requires_signature(Money::twd_minor(300_001)));
        assert!(SignatureRule::Always.requires_signature(Money::twd_minor(1)));
        assert!(!SignatureRule::Never.requires_signature(Money::twd_minor(u64::MAX)));
    }

    #[test]
    fn signature_rule_json_shape() {
        let json = serde_json::to_string(&SignatureRule::Above { minor: 5 }).unwrap();
        assert_eq!(json, r#"{"rule":"above","minor":5}"#);
    }

    #[test]
    fn issuer_authentication_is_left_out_when_absent() {
        let summary: TransactionSummary = serde_json::from_value(serde_json::json!({
            "id": "t", "kind": "sale", "status": "approved",
            "amount": { "minor": 100, "currency": "TWD" }, "brand": "visa",
            "masked_pan": "411111******1111", "entry_mode": "chip", "auth_code": "123456",
            "invoice_no": "000001", "response_code": "00", "response_text": "Approved",
            "created_at": "c", "business_date": "b", "batch_id": null,
            "refunded": { "minor": 0, "currency": "TWD" }, "original_transaction_id": null,
            "signed": false, "receipt_url": "u"
        }))
        .unwrap();
        let mut response = AuthorizationResponse {
            transaction: summary,
            signature_required: false,
            issuer_authentication: None,
        };
        let json = serde_json::to_value(&response).unwrap();
        assert!(json.get("issuer_authentication").is_none(), "{json}");
        // An older gateway's answer without the field still reads.
        assert_eq!(
            serde_json::from_value::<AuthorizationResponse>(json).unwrap(),
            response
        );
        response.issuer_authentication = Some(IssuerAuthentication {
            arpc_hex: "9AF514C1".into(),
            csu_hex: "00800000".into(),
            arc: "00".into(),
        });
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(
            json["issuer_authentication"],
            serde_json::json!({ "arpc_hex": "9AF514C1", "csu_hex": "00800000", "arc": "00" })
        );
        assert_eq!(
            serde_json::from_value::<AuthorizationResponse>(json).unwrap(),
            response
        );
    }

    #[test]
    fn receipt_destination_json_shape() {
        let json = serde_json::to_string(&ReceiptDestination::Sms("0912345678".into())).unwrap();
        assert_eq!(json, r#"{"channel":"sms","to":"0912345678"}"#);
    }

    #[test]
    fn fills_path_templates() {
        assert_eq!(
            paths::fill(paths::SIGNATURE, "t1"),
            "/v1/app/transactions/t1/signature"
        );
        assert_eq!(paths::fill(paths::RECEIPT_PAGE, "abc"), "/r/abc");
    }

    #[test]
    fn unknown_brand_needs_signature() {
        let config = TerminalConfig {
            merchant_id: "m".into(),
            merchant_name: "n".into(),
            terminal_id: "t".into(),
            currency: crate::Currency::Twd,
            brands: vec![BrandRule {
                brand: Brand::Jcb,
                accepted: true,
                signature: SignatureRule::Never,
                pin_required: false,
                pin_from_minor: 0,
            }],
            time_zone: "Asia/Taipei".into(),
            auto_settle_at: "23:00".into(),
        };
        assert!(!config.requires_signature(Brand::Jcb, Money::twd_minor(10)));
        assert!(config.requires_signature(Brand::Visa, Money::twd_minor(10)));
    }

    #[test]
    fn a_pin_is_asked_by_the_brands_rule_from_its_amount_up() {
        let rule = |brand, pin_required, pin_from_minor| BrandRule {
            brand,
            accepted: true,
            signature: SignatureRule::Always,
            pin_required,
            pin_from_minor,
        };
        let config = TerminalConfig {
            merchant_id: "m".into(),
            merchant_name: "n".into(),
            terminal_id: "t".into(),
            currency: crate::Currency::Twd,
            brands: vec![
                rule(Brand::UnionPay, true, 0),
                rule(Brand::Visa, true, 300_000),
                rule(Brand::Jcb, false, 0),
            ],
            time_zone: "Asia/Taipei".into(),
            auto_settle_at: "23:00".into(),
        };
        assert!(config.requires_pin(Brand::UnionPay, Money::twd_minor(100)));
        assert!(!config.requires_pin(Brand::Visa, Money::twd_minor(299_900)));
        assert!(config.requires_pin(Brand::Visa, Money::twd_minor(300_000)));
        assert!(!config.requires_pin(Brand::Jcb, Money::twd_minor(1_000_000)));
        assert!(!config.requires_pin(Brand::Amex, Money::twd_minor(100)));
        // A rule written before the amount existed asks at every amount.
        let old: BrandRule = serde_json::from_value(serde_json::json!({
            "brand": "union_pay", "accepted": true, "signature": {"rule": "always"}, "pin_required": true
        }))
        .unwrap();
        assert!(old.requires_pin(Money::twd_minor(1)));
    }
}
