//! The logged-in session: its bearer token, the user and the terminal's
//! settings. The navigation engine owns it; the driver reads the token for
//! each request, so logging out or a session's end drops it in one place.

use mpos_wire::api::{TerminalConfig, UserProfile};
use std::fmt;

/// The gateway's bearer token of one login; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps the token the gateway issued.
    pub fn new(token: impl Into<String>) -> SessionToken {
        SessionToken(token.into())
    }

    /// The token, for the `Authorization` header.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// A logged-in user and the terminal's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The bearer token every request of this session carries.
    pub token: SessionToken,
    /// Who is logged in.
    pub profile: UserProfile,
    /// Brands and signature rules.
    pub config: TerminalConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let token = SessionToken::new("s3cr3t-token");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert_eq!(token.as_str(), "s3cr3t-token");
    }
}
