//! Pure state machines, one per user task. Each takes inputs (user
//! actions, reader events, [`Reply`]s to its own commands) and answers with
//! [`Command`]s for the driver; none does I/O, reads a clock or draws a
//! random number (idempotency keys come in with the inputs that need them).

// States, inputs and replies are moved one at a time through `handle`;
// boxing the big variants would add allocations and noise for nothing.
#![allow(clippy::large_enum_variant)]

pub mod chip_first;
pub mod journal_write;
pub mod login;
pub mod payment;
pub mod query;
pub mod receipt;
pub mod self_check;
pub mod settlement;
pub mod timing;
pub mod void;

use crate::model::host_error::HostError;
use crate::model::in_flight::JournalUpdate;
use crate::model::reader::{OnlineResult, ReaderError, ReaderRequest};
use crate::model::self_check::{GatewayProbe, ReaderCheck};
use crate::model::session::SessionToken;
use crate::model::timer::Timer;
use mpos_wire::api::{
    ActivateRequest, AuthorizationResponse, ChangePasswordRequest, LoginRequest, RefundRequest,
    ReversalRequest, ReversalResponse, SaleRequest, SendReceiptRequest, SettleResponse,
    SettlementPreview, SignatureRequest, StageResponse, TerminalConfig, TransactionList,
    TransactionSearch, TransactionSummary, VerifyPasswordRequest, VoidRequest,
};
use std::fmt;

/// A sale or a refund, ready to send.
#[derive(Clone, PartialEq, Eq)]
pub enum AuthorizeRequest {
    /// `POST /v1/app/sales`.
    Sale(SaleRequest),
    /// `POST /v1/app/refunds`.
    Refund(RefundRequest),
}

/// Something a flow needs done outside itself.
#[derive(Clone, PartialEq, Eq)]
pub enum Command {
    /// Log in; the answer's token becomes the session's.
    Login(LoginRequest),
    /// Send the SMS activation code.
    Activate(ActivateRequest),
    /// Set the new 6-digit password.
    ChangePassword(ChangePasswordRequest),
    /// Load brands and signature rules.
    FetchTerminalConfig,
    /// Check the password again before the transaction query.
    VerifyPassword(VerifyPasswordRequest),
    /// End the session whose token this is.
    Logout(SessionToken),
    /// Ask the reader for a card.
    StartReader(ReaderRequest),
    /// Stop the reader.
    CancelReader,
    /// Ask the reader for a PIN entry (its keypad layout comes as a reader event).
    RequestPin,
    /// Hand the reader the keypad positions touched (never digits); the
    /// PIN block comes as a reader event.
    EnterPin(Vec<u8>),
    /// Give the host's answer to the reader (chip cards finish with it);
    /// answered by [`Reply::OnlineResultSent`], and the card's verdict
    /// comes later as a reader event.
    ReaderOnlineResult(OnlineResult),
    /// Write the journal; the flow waits for [`Reply::JournalWritten`] before sending money.
    Journal(JournalUpdate),
    /// Send a sale or refund.
    Authorize {
        /// Fresh random key; a reversal names it.
        idempotency_key: String,
        /// The request.
        request: AuthorizeRequest,
    },
    /// Reverse a request whose outcome is unknown; repeated until acknowledged.
    SendReversal {
        /// Names the original by its idempotency key.
        request: ReversalRequest,
        /// 0 for the first try (for the logs; the flow times the retries).
        attempt: u32,
    },
    /// Wait, then feed the timer back as an input.
    StartTimer {
        /// What the wait is for.
        timer: Timer,
        /// How long.
        after_ms: u64,
    },
    /// Upload the cardholder's signature.
    UploadSignature {
        /// The approved transaction.
        transaction_id: String,
        /// The strokes.
        request: SignatureRequest,
    },
    /// Send the e-receipt.
    SendReceipt {
        /// The transaction.
        transaction_id: String,
        /// Where to.
        request: SendReceiptRequest,
    },
    /// Void an unsettled transaction.
    Void {
        /// Kept across retries of the same void, so it cannot void twice.
        idempotency_key: String,
        /// The transaction.
        request: VoidRequest,
    },
    /// Search unsettled transactions.
    Search(TransactionSearch),
    /// Load one transaction.
    GetTransaction(String),
    /// Load what would be settled.
    FetchSettlementPreview,
    /// Settle now.
    Settle,
    /// Self-check: what the reader and its audio link report.
    CheckReader,
    /// Self-check: the gateway's status over the pinned connection, with
    /// the phone's clock read around it.
    CheckGateway,
}

/// The result of a command, fed back to the flow that asked.
#[derive(Clone, PartialEq, Eq)]
pub enum Reply {
    /// Answer to [`Command::Login`].
    LoggedIn(Result<mpos_wire::api::LoginResponse, HostError>),
    /// Answer to [`Command::Activate`].
    Activated(Result<StageResponse, HostError>),
    /// Answer to [`Command::ChangePassword`].
    PasswordChanged(Result<StageResponse, HostError>),
    /// Answer to [`Command::FetchTerminalConfig`].
    TerminalConfig(Result<TerminalConfig, HostError>),
    /// Answer to [`Command::VerifyPassword`].
    PasswordVerified(Result<(), HostError>),
    /// Answer to [`Command::StartReader`].
    ReaderStarted(Result<(), ReaderError>),
    /// Answer to [`Command::RequestPin`] and [`Command::EnterPin`]: an
    /// error means the reader did not take the command.
    PinCommandSent(Result<(), ReaderError>),
    /// Answer to [`Command::ReaderOnlineResult`]: an error means the
    /// answer never reached the reader, so the card did not finish with it.
    OnlineResultSent(Result<(), ReaderError>),
    /// Answer to [`Command::Journal`]; the error is the storage's text.
    JournalWritten(Result<(), String>),
    /// Answer to [`Command::Authorize`].
    Authorized(Result<AuthorizationResponse, HostError>),
    /// Answer to [`Command::SendReversal`].
    Reversed(Result<ReversalResponse, HostError>),
    /// Answer to [`Command::UploadSignature`].
    SignatureUploaded(Result<TransactionSummary, HostError>),
    /// Answer to [`Command::SendReceipt`].
    ReceiptSent(Result<mpos_wire::api::SendReceiptResponse, HostError>),
    /// Answer to [`Command::Void`].
    Voided(Result<TransactionSummary, HostError>),
    /// Answer to [`Command::Search`].
    SearchResults(Result<TransactionList, HostError>),
    /// Answer to [`Command::GetTransaction`].
    Transaction(Result<TransactionSummary, HostError>),
    /// Answer to [`Command::FetchSettlementPreview`].
    SettlementPreview(Result<SettlementPreview, HostError>),
    /// Answer to [`Command::Settle`].
    Settled(Result<SettleResponse, HostError>),
    /// Answer to [`Command::CheckReader`].
    ReaderChecked(ReaderCheck),
    /// Answer to [`Command::CheckGateway`].
    GatewayChecked(Result<GatewayProbe, HostError>),
}

impl Command {
    /// Whether it waits on the gateway (the user sees a request on its way).
    pub fn is_gateway_request(&self) -> bool {
        !matches!(
            self,
            Command::StartReader(_)
                | Command::CancelReader
                | Command::RequestPin
                | Command::EnterPin(_)
                | Command::ReaderOnlineResult(_)
                | Command::Journal(_)
                | Command::StartTimer { .. }
                | Command::Logout(_)
                | Command::CheckReader
        )
    }
}

/// Authorization codes are 6 letters or digits (ISO 8583 field 38);
/// returns the upper-case form, or `None` when malformed.
pub fn normalize_auth_code(input: &str) -> Option<String> {
    let code = input.trim();
    (code.len() == 6 && code.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| code.to_ascii_uppercase())
}

// Debug by hand: commands carry passwords and card envelopes, replies carry
// session tokens, and neither may reach a log line.
impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Login(request) => {
                write!(f, "Login({}, password: <redacted>)", request.username)
            }
            Command::Activate(_) => f.write_str("Activate(<redacted>)"),
            Command::ChangePassword(_) => f.write_str("ChangePassword(<redacted>)"),
            Command::VerifyPassword(_) => f.write_str("VerifyPassword(<redacted>)"),
            Command::FetchTerminalConfig => f.write_str("FetchTerminalConfig"),
            Command::Logout(_) => f.write_str("Logout"),
            Command::StartReader(request) => write!(f, "StartReader({request:?})"),
            Command::CancelReader => f.write_str("CancelReader"),
            Command::RequestPin => f.write_str("RequestPin"),
            Command::EnterPin(keys) => write!(f, "EnterPin(<{} keys>)", keys.len()),
            Command::ReaderOnlineResult(result) => write!(f, "ReaderOnlineResult({result:?})"),
            Command::Journal(update) => write!(f, "Journal({update:?})"),
            Command::Authorize {
                idempotency_key,
                request,
            } => {
                write!(
                    f,
                    "Authorize {{ idempotency_key: {idempotency_key}, request: {request:?} }}"
                )
            }
            Command::StartTimer { timer, after_ms } => {
                write!(f, "StartTimer {{ timer: {timer:?}, after_ms: {after_ms} }}")
            }
            Command::SendReversal { request, attempt } => {
                write!(
                    f,
                    "SendReversal {{ request: {request:?}, attempt: {attempt} }}"
                )
            }
            Command::UploadSignature {
                transaction_id,
                request,
            } => write!(
                f,
                "UploadSignature {{ transaction_id: {transaction_id}, strokes: {} }}",
                request.strokes.len()
            ),
            Command::SendReceipt { transaction_id, .. } => {
                write!(f, "SendReceipt {{ transaction_id: {transaction_id} }}")
            }
            Command::Void {
                idempotency_key,
                request,
            } => write!(
                f,
                "Void {{ idempotency_key: {idempotency_key}, transaction_id: {} }}",
                request.transaction_id
            ),
            Command::Search(criteria) => write!(f, "Search({criteria:?})"),
            Command::GetTransaction(id) => write!(f, "GetTransaction({id})"),
            Command::FetchSettlementPreview => f.write_str("FetchSettlementPreview"),
            Command::Settle => f.write_str("Settle"),
            Command::CheckReader => f.write_str("CheckReader"),
            Command::CheckGateway => f.write_str("CheckGateway"),
        }
    }
}

impl fmt::Debug for AuthorizeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, amount, brand, card) = match self {
            AuthorizeRequest::Sale(r) => ("Sale", r.amount, r.brand, &r.card),
            AuthorizeRequest::Refund(r) => ("Refund", r.amount, r.brand, &r.card),
        };
        let pin = match self {
            AuthorizeRequest::Sale(r) if r.pin.is_some() => ", pin: <enciphered>",
            _ => "",
        };
        write!(
            f,
            "{kind} {{ amount: {amount}, brand: {brand:?}, card: {}, entry: {:?}{pin} }}",
            card.masked_pan, card.entry_mode
        )
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn outcome<T>(result: &Result<T, impl fmt::Display>) -> String {
            match result {
                Ok(_) => "ok".to_string(),
                Err(error) => format!("error: {error}"),
            }
        }
        let (name, result) = match self {
            Reply::LoggedIn(r) => ("LoggedIn", outcome(r)),
            Reply::Activated(r) => ("Activated", outcome(r)),
            Reply::PasswordChanged(r) => ("PasswordChanged", outcome(r)),
            Reply::TerminalConfig(r) => ("TerminalConfig", outcome(r)),
            Reply::PasswordVerified(r) => ("PasswordVerified", outcome(r)),
            Reply::ReaderStarted(r) => ("ReaderStarted", outcome(r)),
            Reply::PinCommandSent(r) => ("PinCommandSent", outcome(r)),
            Reply::OnlineResultSent(r) => ("OnlineResultSent", outcome(r)),
            Reply::JournalWritten(r) => ("JournalWritten", outcome(r)),
            Reply::Authorized(r) => ("Authorized", outcome(r)),
            Reply::Reversed(r) => ("Reversed", outcome(r)),
            Reply::SignatureUploaded(r) => ("SignatureUploaded", outcome(r)),
            Reply::ReceiptSent(r) => ("ReceiptSent", outcome(r)),
            Reply::Voided(r) => ("Voided", outcome(r)),
            Reply::SearchResults(r) => ("SearchResults", outcome(r)),
            Reply::Transaction(r) => ("Transaction", outcome(r)),
            Reply::SettlementPreview(r) => ("SettlementPreview", outcome(r)),
            Reply::Settled(r) => ("Settled", outcome(r)),
            Reply::ReaderChecked(check) => (
                "ReaderChecked",
                if check.info.is_some() {
                    "reader"
                } else {
                    "no reader"
                }
                .to_string(),
            ),
            Reply::GatewayChecked(r) => ("GatewayChecked", outcome(r)),
        };
        write!(f, "{name}({result})")
    }
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_codes_are_six_alphanumerics() {
        assert_eq!(normalize_auth_code(" ab12c9 ").as_deref(), Some("AB12C9"));
        assert_eq!(normalize_auth_code("12345"), None);
        assert_eq!(normalize_auth_code("1234567"), None);
        assert_eq!(normalize_auth_code("12-456"), None);
    }

    #[test]
    fn debug_of_commands_hides_secrets() {
        let login = Command::Login(LoginRequest {
            username: "amy".into(),
            password: "918273".into(),
            reader_serial: None,
        });
        let change = Command::ChangePassword(ChangePasswordRequest {
            new_password: "564738".into(),
            current_password: None,
        });
        let activate = Command::Activate(ActivateRequest {
            activation_code: "ACT-777".into(),
        });
        let text = format!("{login:?} {change:?} {activate:?}");
        assert!(!text.contains("918273"));
        assert!(!text.contains("564738"));
        assert!(!text.contains("ACT-777"));
        assert!(text.contains("amy"));
    }

    #[test]
    fn debug_of_authorize_shows_no_envelope() {
        let payload = testing::swipe_payload(mpos_wire::Brand::Visa, "101");
        let command = Command::Authorize {
            idempotency_key: "k".into(),
            request: AuthorizeRequest::Sale(SaleRequest {
                amount: mpos_wire::Money::twd_minor(100),
                brand: mpos_wire::Brand::Visa,
                card: payload.clone(),
                pin: Some(mpos_wire::api::PinBlockPayload {
                    ksn: "FFFF9876543210E00001".into(),
                    block: "0123456789ABCDEF".into(),
                }),
            }),
        };
        let text = format!("{command:?}");
        assert!(!text.contains("0123456789ABCDEF"), "{text}");
        assert!(text.contains("pin: <enciphered>"), "{text}");
        let keys = format!("{:?}", Command::EnterPin(vec![9, 3, 7, 1]));
        assert_eq!(keys, "EnterPin(<4 keys>)");
        assert!(!text.contains(&payload.ciphertext));
        assert!(!text.contains(&payload.ksn));
        assert!(text.contains(payload.masked_pan.as_str()));
    }
}
