//! The one error of the core's boundary, and the bilingual message every
//! screen shows when something needs the user's attention.

use crate::notice::Notice;
use mpos_wire::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};

/// What went wrong when building or running the app object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    /// The configuration cannot work (URL, trust root, pin, data directory).
    #[error("invalid configuration: {reason}")]
    InvalidConfig {
        /// What is wrong with it.
        reason: String,
    },
    /// The local journal could not be opened or written.
    #[error("the local transaction journal failed: {reason}")]
    Journal {
        /// The storage error.
        reason: String,
    },
    /// The async runtime could not be started.
    #[error("could not start the async runtime: {reason}")]
    Runtime {
        /// The runtime error.
        reason: String,
    },
}

/// A message for the user, in English and Traditional Chinese, that says
/// what to do next. `code` is stable: the API's error code or a local one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserMessage {
    /// Stable machine-readable code (`invalid_credentials`, `reader_not_connected`...).
    pub code: String,
    /// English text.
    pub en: String,
    /// Traditional Chinese text.
    pub zh: String,
}

impl UserMessage {
    /// The message of an API error, with its detail (for example when a lock ends).
    pub fn from_api(error: &ApiError) -> UserMessage {
        let (en, zh) = match &error.detail {
            Some(detail) => (
                format!("{} ({detail})", error.message),
                format!("{}（{detail}）", error.message_zh),
            ),
            None => (error.message.clone(), error.message_zh.clone()),
        };
        UserMessage {
            code: error_code_name(error.code),
            en,
            zh,
        }
    }

    /// The standard message of an API error code, for a rule the phone checks itself.
    pub fn from_code(code: ErrorCode) -> UserMessage {
        UserMessage::from_api(&ApiError::new(code))
    }
}

impl From<Notice> for UserMessage {
    fn from(notice: Notice) -> UserMessage {
        UserMessage {
            code: notice.code().to_string(),
            en: notice.en().to_string(),
            zh: notice.zh().to_string(),
        }
    }
}

impl From<ErrorCode> for UserMessage {
    fn from(code: ErrorCode) -> UserMessage {
        UserMessage::from_code(code)
    }
}

/// The snake_case name an error code has in the API's JSON.
fn error_code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{code:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_codes_keep_their_json_name() {
        let message = UserMessage::from_code(ErrorCode::AccountLocked);
        assert_eq!(message.code, "account_locked");
        assert_eq!(message.zh, ErrorCode::AccountLocked.message_zh());
    }

    #[test]
    fn api_detail_is_shown_in_both_languages() {
        let error = ApiError::new(ErrorCode::AccountLocked).with_detail("until 14:05");
        let message = UserMessage::from_api(&error);
        assert!(message.en.ends_with("(until 14:05)"));
        assert!(message.zh.contains("until 14:05"));
    }

    #[test]
    fn local_notices_have_their_own_code() {
        let message = UserMessage::from(Notice::ReaderNotConnected);
        assert_eq!(message.code, "reader_not_connected");
        assert!(message.zh.contains("讀卡機"));
    }
}
