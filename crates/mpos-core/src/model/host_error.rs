//! How a request to the gateway can fail, and what that means for money.

use crate::error::UserMessage;
use crate::notice::Notice;
use mpos_wire::{ApiError, ErrorCode};

/// Why a request to the gateway did not give the expected answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// The gateway answered with a typed refusal: the request was not carried out.
    #[error("the gateway refused: {0}")]
    Api(ApiError),
    /// No answer in time: a financial request may or may not have been carried out.
    #[error("the gateway did not answer in time")]
    Timeout,
    /// The connection failed; the request may have left the phone.
    #[error("could not talk to the gateway: {0}")]
    Transport(String),
    /// An answer arrived but could not be read.
    #[error("the gateway's answer could not be read: {0}")]
    Malformed(String),
    /// The server's certificate failed the key pin: nothing was sent.
    #[error("the gateway's certificate does not match the pinned key")]
    PinMismatch,
    /// The server's certificate does not chain to the trust root (or is
    /// expired, or names another host): nothing was sent.
    #[error("the gateway's certificate is not trusted: {0}")]
    UntrustedCertificate(String),
    /// The user cancelled the request before its answer came. Only
    /// requests that move no money can be cancelled.
    #[error("cancelled by the user")]
    Cancelled,
}

impl HostError {
    /// Whether a financial request may have been carried out although the
    /// phone did not read an approval or a refusal, so it must be reversed.
    ///
    /// A 500 (`internal`) or `request_in_progress` answer says nothing about
    /// the authorization either, so they count as unknown too. A pin
    /// mismatch fails in the TLS handshake, before the request is written.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            HostError::Timeout | HostError::Transport(_) | HostError::Malformed(_) => true,
            HostError::Api(error) => {
                matches!(
                    error.code,
                    ErrorCode::Internal | ErrorCode::RequestInProgress
                )
            }
            HostError::PinMismatch | HostError::UntrustedCertificate(_) | HostError::Cancelled => {
                false
            }
        }
    }

    /// Whether the session is gone, so the user must log in again. A
    /// disabled account counts: its session can do nothing more, and
    /// another user may log in on this phone.
    pub fn ends_session(&self) -> bool {
        matches!(
            self,
            HostError::Api(ApiError {
                code: ErrorCode::Unauthorized
                    | ErrorCode::SessionExpired
                    | ErrorCode::AccountDisabled,
                ..
            })
        )
    }

    /// Whether sending the same request again may get another answer: no
    /// answer, an unreadable one, a gateway failure (5xx) or a request
    /// still in progress. Any other refusal would only be repeated.
    pub fn worth_retrying(&self) -> bool {
        match self {
            HostError::Timeout | HostError::Transport(_) | HostError::Malformed(_) => true,
            HostError::Api(error) => {
                error.code == ErrorCode::RequestInProgress || error.code.http_status() >= 500
            }
            HostError::PinMismatch | HostError::UntrustedCertificate(_) | HostError::Cancelled => {
                false
            }
        }
    }

    /// The API error code, if the gateway answered with one.
    pub fn api_code(&self) -> Option<ErrorCode> {
        match self {
            HostError::Api(error) => Some(error.code),
            _ => None,
        }
    }

    /// What the user reads about this failure.
    pub fn user_message(&self) -> UserMessage {
        match self {
            HostError::Api(error) => UserMessage::from_api(error),
            HostError::Timeout | HostError::Transport(_) => Notice::NoConnection.into(),
            HostError::Malformed(_) => Notice::UnexpectedAnswer.into(),
            HostError::PinMismatch | HostError::UntrustedCertificate(_) => {
                Notice::SecureConnectionFailed.into()
            }
            HostError::Cancelled => Notice::Cancelled.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_outcomes_are_the_ones_without_a_readable_answer() {
        assert!(HostError::Timeout.outcome_unknown());
        assert!(HostError::Transport("reset".into()).outcome_unknown());
        assert!(HostError::Malformed("eof".into()).outcome_unknown());
        assert!(HostError::Api(ApiError::new(ErrorCode::Internal)).outcome_unknown());
        assert!(HostError::Api(ApiError::new(ErrorCode::RequestInProgress)).outcome_unknown());
        assert!(!HostError::Api(ApiError::new(ErrorCode::LimitPerDayExceeded)).outcome_unknown());
        assert!(!HostError::PinMismatch.outcome_unknown());
        assert!(!HostError::UntrustedCertificate("unknown issuer".into()).outcome_unknown());
    }

    #[test]
    fn session_end_codes() {
        assert!(HostError::Api(ApiError::new(ErrorCode::SessionExpired)).ends_session());
        assert!(HostError::Api(ApiError::new(ErrorCode::Unauthorized)).ends_session());
        assert!(HostError::Api(ApiError::new(ErrorCode::AccountDisabled)).ends_session());
        assert!(!HostError::Api(ApiError::new(ErrorCode::Forbidden)).ends_session());
        assert!(!HostError::Timeout.ends_session());
    }

    #[test]
    fn only_answers_that_may_change_are_worth_retrying() {
        assert!(HostError::Timeout.worth_retrying());
        assert!(HostError::Transport("reset".into()).worth_retrying());
        assert!(HostError::Malformed("HTTP 502 without an API error body".into()).worth_retrying());
        assert!(HostError::Api(ApiError::new(ErrorCode::Internal)).worth_retrying());
        assert!(HostError::Api(ApiError::new(ErrorCode::DeliveryFailed)).worth_retrying());
        assert!(HostError::Api(ApiError::new(ErrorCode::RequestInProgress)).worth_retrying());
        for refusal in [
            ErrorCode::AlreadySettled,
            ErrorCode::HasRefunds,
            ErrorCode::Forbidden,
            ErrorCode::AccountDisabled,
            ErrorCode::BadRequest,
            ErrorCode::NotFound,
        ] {
            assert!(
                !HostError::Api(ApiError::new(refusal)).worth_retrying(),
                "{refusal:?}"
            );
        }
        assert!(!HostError::PinMismatch.worth_retrying());
    }

    #[test]
    fn messages_for_transport_failures() {
        assert_eq!(HostError::Timeout.user_message().code, "no_connection");
        assert_eq!(
            HostError::PinMismatch.user_message().code,
            "secure_connection_failed"
        );
    }
}
