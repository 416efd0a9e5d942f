//! The thin async driver: runs one flow [`Command`] against the gateway,
//! the reader or the journal, and hands back the [`Reply`].

use crate::flows::{AuthorizeRequest, Command, Reply};
use crate::host::HostClient;
use crate::journal::Journal;
use crate::reader::CardReader;
use std::sync::Arc;
use std::time::Duration;

/// What the commands run against.
pub(crate) struct Driver {
    pub(crate) host: HostClient,
    pub(crate) reader: Arc<dyn CardReader>,
    pub(crate) journal: Journal,
    pub(crate) reversal_retry: Duration,
}

impl Driver {
    /// Runs one command; `None` for commands nobody waits on.
    pub(crate) async fn run(&self, command: Command) -> Option<Reply> {
        tracing::debug!(?command, "running");
        let reply = match command {
            Command::Login(request) => Reply::LoggedIn(self.host.login(&request).await),
            Command::Activate(request) => Reply::Activated(self.host.activate(&request).await),
            Command::ChangePassword(request) => {
                Reply::PasswordChanged(self.host.change_password(&request).await)
            }
            Command::FetchTerminalConfig => {
                Reply::TerminalConfig(self.host.terminal_config().await)
            }
            Command::VerifyPassword(request) => {
                Reply::PasswordVerified(self.host.verify_password(&request).await)
            }
            Command::Logout => {
                if let Err(error) = self.host.logout().await {
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
            Command::ReaderOnlineResult(result) => {
                let taken = self.reader.online_result(result);
                if let Err(error) = &taken {
                    tracing::warn!(%error, "the reader did not take the host's answer");
                }
                Reply::OnlineResultTaken(taken)
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
                    AuthorizeRequest::Sale(sale) => self.host.sale(&idempotency_key, sale).await,
                    AuthorizeRequest::Refund(refund) => {
                        self.host.refund(&idempotency_key, refund).await
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
                if attempt > 0 {
                    tokio::time::sleep(self.reversal_retry).await;
                }
                let result = self.host.reverse(&request).await;
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
                self.host.upload_signature(&transaction_id, &request).await,
            ),
            Command::SendReceipt {
                transaction_id,
                request,
            } => Reply::ReceiptSent(self.host.send_receipt(&transaction_id, &request).await),
            Command::Void {
                idempotency_key,
                request,
            } => Reply::Voided(self.host.void(&idempotency_key, &request).await),
            Command::Search(criteria) => Reply::SearchResults(self.host.search(&criteria).await),
            Command::GetTransaction(id) => Reply::Transaction(self.host.get_transaction(&id).await),
            Command::FetchSettlementPreview => {
                Reply::SettlementPreview(self.host.settlement_preview().await)
            }
            Command::Settle => Reply::Settled(self.host.settle().await),
        };
        Some(reply)
    }
}

/// A fresh idempotency key: 128 bits from rand's thread-local CSPRNG (seeded by the OS), as hex.
pub(crate) fn new_idempotency_key() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_128_bit_hex_and_differ() {
        let a = new_idempotency_key();
        let b = new_idempotency_key();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
