//! The thin async driver: runs one flow [`Command`] against the gateway,
//! the reader or the journal, and hands back the [`Reply`]. It decides
//! nothing: waits and retries are the flows' (timers), the session token
//! is the engine's (passed in with each command).

use crate::flows::{AuthorizeRequest, Command, Reply};
use crate::host::HostClient;
use crate::journal::Journal;
use crate::model::host_error::HostError;
use crate::model::self_check::{GatewayProbe, ReaderCheck};
use crate::model::session::SessionToken;
use crate::reader::CardReader;
use std::sync::Arc;

/// What the commands run against.
pub(crate) struct Driver {
    pub(crate) host: HostClient,
    pub(crate) reader: Arc<dyn CardReader>,
    pub(crate) journal: Journal,
}

impl Driver {
    /// Runs one command for the session of `token`; `None` for commands
    /// nobody waits on. Timers are the app's: they come back as inputs.
    pub(crate) async fn run(
        &self,
        command: Command,
        token: Option<&SessionToken>,
    ) -> Option<Reply> {
        tracing::debug!(?command, "running");
        let host = &self.host;
        let reply = match command {
            Command::Login(request) => Reply::LoggedIn(host.login(&request).await),
            Command::Activate(request) => Reply::Activated(host.activate(token, &request).await),
            Command::ChangePassword(request) => {
                Reply::PasswordChanged(host.change_password(token, &request).await)
            }
            Command::FetchTerminalConfig => {
                Reply::TerminalConfig(host.terminal_config(token).await)
            }
            Command::VerifyPassword(request) => {
                Reply::PasswordVerified(host.verify_password(token, &request).await)
            }
            Command::Logout(session) => {
                if let Err(error) = host.logout(&session).await {
                    tracing::info!(%error, "logout was not confirmed; the session token is dropped anyway");
                }
                return None;
            }
            Command::StartReader(request) => {
                Reply::ReaderStarted(self.reader.start_transaction(request))
            }
            Command::CancelReader => {
                self.reader.cancel();
                return None;
            }
            Command::RequestPin => Reply::PinCommandSent(self.reader.request_pin()),
            Command::EnterPin(keys) => Reply::PinCommandSent(self.reader.enter_pin(keys)),
            Command::ReaderOnlineResult(result) => {
                let sent = self.reader.online_result(result);
                if let Err(error) = &sent {
                    tracing::warn!(%error, "the reader did not take the host's answer");
                }
                Reply::OnlineResultSent(sent)
            }
            Command::Journal(update) => {
                Reply::JournalWritten(self.journal.apply(&update).map_err(|error| {
                    tracing::error!(%error, "journal write failed");
                    error.to_string()
                }))
            }
            Command::Authorize {
                idempotency_key,
                request,
            } => {
                let result = match &request {
                    AuthorizeRequest::Sale(sale) => host.sale(token, &idempotency_key, sale).await,
                    AuthorizeRequest::Refund(refund) => {
                        host.refund(token, &idempotency_key, refund).await
                    }
                };
                match &result {
                    Ok(answer) => tracing::info!(
                        %idempotency_key,
                        status = ?answer.transaction.status,
                        transaction = %answer.transaction.id,
                        "authorization answered"
                    ),
                    Err(error) => tracing::warn!(%idempotency_key, %error, "authorization failed"),
                }
                Reply::Authorized(result)
            }
            Command::SendReversal { request, attempt } => {
                let result = host.reverse(token, &request).await;
                match &result {
                    Ok(answer) => tracing::info!(
                        key = %request.original_idempotency_key,
                        acknowledged = answer.acknowledged,
                        attempt,
                        "reversal answered"
                    ),
                    Err(error) => tracing::warn!(
                        key = %request.original_idempotency_key,
                        %error,
                        attempt,
                        "reversal failed"
                    ),
                }
                Reply::Reversed(result)
            }
            Command::UploadSignature {
                transaction_id,
                request,
            } => Reply::SignatureUploaded(
                host.upload_signature(token, &transaction_id, &request)
                    .await,
            ),
            Command::SendReceipt {
                transaction_id,
                request,
            } => Reply::ReceiptSent(host.send_receipt(token, &transaction_id, &request).await),
            Command::Void {
                idempotency_key,
                request,
            } => Reply::Voided(host.void(token, &idempotency_key, &request).await),
            Command::Search(criteria) => Reply::SearchResults(host.search(token, &criteria).await),
            Command::GetTransaction(id) => {
                Reply::Transaction(host.get_transaction(token, &id).await)
            }
            Command::FetchSettlementPreview => {
                Reply::SettlementPreview(host.settlement_preview(token).await)
            }
            Command::Settle => Reply::Settled(host.settle(token).await),
            Command::CheckReader => Reply::ReaderChecked(ReaderCheck {
                info: self.reader.info(),
                link: self.reader.link_quality(),
                saved_profile_model: self.reader.saved_profile_model(),
            }),
            Command::CheckGateway => {
                let sent_at_ms = unix_millis();
                let answer = host.app_status().await;
                let received_at_ms = unix_millis();
                Reply::GatewayChecked(answer.map(|(status, certificate_not_after)| GatewayProbe {
                    status,
                    sent_at_ms,
                    received_at_ms,
                    certificate_not_after,
                }))
            }
            Command::StartTimer { .. } => return None,
        };
        Some(reply)
    }
}

/// The reply a command gets when the user cancels it before its answer,
/// or `None` when it may not be cancelled: whatever moves money (sales,
/// refunds, reversals, voids, settlement) or the phone's own records runs
/// to its end, so the flows always learn its outcome.
pub(crate) fn cancelled_reply(command: &Command) -> Option<Reply> {
    fn cancelled<T>() -> Result<T, HostError> {
        Err(HostError::Cancelled)
    }
    Some(match command {
        Command::Login(_) => Reply::LoggedIn(cancelled()),
        Command::Activate(_) => Reply::Activated(cancelled()),
        Command::ChangePassword(_) => Reply::PasswordChanged(cancelled()),
        Command::FetchTerminalConfig => Reply::TerminalConfig(cancelled()),
        Command::VerifyPassword(_) => Reply::PasswordVerified(cancelled()),
        Command::Search(_) => Reply::SearchResults(cancelled()),
        Command::GetTransaction(_) => Reply::Transaction(cancelled()),
        Command::FetchSettlementPreview => Reply::SettlementPreview(cancelled()),
        Command::CheckGateway => Reply::GatewayChecked(cancelled()),
        Command::SendReceipt { .. } => Reply::ReceiptSent(cancelled()),
        Command::Authorize { .. }
        | Command::SendReversal { .. }
        | Command::Void { .. }
        | Command::Settle
        | Command::UploadSignature { .. }
        | Command::Journal(_)
        | Command::Logout(_)
        | Command::StartReader(_)
        | Command::CancelReader
        | Command::RequestPin
        | Command::EnterPin(_)
        | Command::ReaderOnlineResult(_)
        | Command::StartTimer { .. }
        | Command::CheckReader => return None,
    })
}

/// The phone's clock, Unix milliseconds (the self-check compares it with the gateway's).
fn unix_millis() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}

/// A fresh idempotency key: 128 bits from rand's thread-local CSPRNG (seeded by the OS), as hex.
pub(crate) fn new_idempotency_key() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_wire::api::{TransactionSearch, VoidRequest};

    #[test]
    fn keys_are_128_bit_hex_and_differ() {
        let a = new_idempotency_key();
        let b = new_idempotency_key();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn only_requests_that_move_no_money_can_be_cancelled() {
        let search = Command::Search(TransactionSearch::default());
        assert!(matches!(
            cancelled_reply(&search),
            Some(Reply::SearchResults(Err(HostError::Cancelled)))
        ));
        let void = Command::Void {
            idempotency_key: "k".into(),
            request: VoidRequest {
                transaction_id: "t".into(),
            },
        };
        assert!(cancelled_reply(&void).is_none());
        assert!(cancelled_reply(&Command::Settle).is_none());
    }
}
