//! The audit log's vocabulary: who acted (an [`Actor`]), what they did (an
//! [`Action`]), and [`record`], which appends it. Every administrative
//! action, through the portal or the API, is recorded before it is answered.

use crate::state::AppState;
use crate::store::{AuditEntry, StoreError};

/// The administrator behind a request, and the address it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Administrator id.
    pub admin_id: String,
    /// Their sign-in name.
    pub username: String,
    /// Client address.
    pub client: String,
}

/// What an administrator did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Created by the gateway's `create-admin` command.
    AdminCreated,
    /// Signed in (password and second factor).
    SignedIn,
    /// A wrong password.
    SignInFailed,
    /// A wrong second-factor or recovery code.
    SecondFactorFailed,
    /// Signed in with a recovery code (one fewer left).
    RecoveryCodeUsed,
    /// Enrolled an authenticator app.
    SecondFactorEnrolled,
    /// Signed out.
    SignedOut,
    /// Added a phone user.
    UserCreated,
    /// Changed a phone user's limits.
    UserLimitsChanged,
    /// Disabled a phone user.
    UserDisabled,
    /// Enabled a phone user again.
    UserEnabled,
    /// Reset a phone user's password.
    UserPasswordReset,
    /// Sent a phone user a new activation.
    UserActivationResent,
    /// Created an API token.
    ApiTokenCreated,
    /// Revoked an API token.
    ApiTokenRevoked,
    /// Exported transactions as CSV.
    TransactionsExported,
    /// Opened a transaction's detail and receipt.
    TransactionViewed,
}

impl Action {
    /// Every action (for the portal's labels and their tests).
    pub const ALL: [Action; 17] = [
        Action::AdminCreated,
        Action::SignedIn,
        Action::SignInFailed,
        Action::SecondFactorFailed,
        Action::RecoveryCodeUsed,
        Action::SecondFactorEnrolled,
        Action::SignedOut,
        Action::UserCreated,
        Action::UserLimitsChanged,
        Action::UserDisabled,
        Action::UserEnabled,
        Action::UserPasswordReset,
        Action::UserActivationResent,
        Action::ApiTokenCreated,
        Action::ApiTokenRevoked,
        Action::TransactionsExported,
        Action::TransactionViewed,
    ];

    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Action::AdminCreated => "admin_created",
            Action::SignedIn => "signed_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SecondFactorFailed => "second_factor_failed",
            Action::RecoveryCodeUsed => "recovery_code_used",
            Action::SecondFactorEnrolled => "second_factor_enrolled",
            Action::SignedOut => "signed_out",
            Action::UserCreated => "user_created",
            Action::UserLimitsChanged => "user_limits_changed",
            Action::UserDisabled => "user_disabled",
            Action::UserEnabled => "user_enabled",
            Action::UserPasswordReset => "user_password_reset",
            Action::UserActivationResent => "user_activation_resent",
            Action::ApiTokenCreated => "api_token_created",
            Action::ApiTokenRevoked => "api_token_revoked",
            Action::TransactionsExported => "transactions_exported",
            Action::TransactionViewed => "transaction_viewed",
        }
    }

    /// The action of a stored name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Appends `action` by `actor` on `target` to the audit log, at the gateway's time.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    action: Action,
    target: &str,
    detail: &str,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        seq: 0,
        at: state.clock.now(),
        admin_id: actor.admin_id.clone(),
        admin_username: actor.username.clone(),
        action: action.name().into(),
        target: target.into(),
        detail: detail.into(),
        client: actor.client.clone(),
    };
    tracing::info!(event = "audit", action = action.name(), admin = %actor.username, target, "administrative action");
    state.store.audit_log().append(&entry).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
        }
        let names: std::collections::HashSet<_> = Action::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
