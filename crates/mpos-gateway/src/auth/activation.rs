//! Default passwords and activation codes for new or reset accounts.

use crate::auth::password::Passwords;
use crate::error::AppError;
use crate::ids::{random_digits, random_password};
use crate::store::NewCredentials;
use time::OffsetDateTime;

/// Clear credentials, to be sent once and forgotten.
pub struct IssuedCredentials {
    /// 8-character default password (for the e-mail).
    pub default_password: String,
    /// 6-digit activation code (for the SMS).
    pub activation_code: String,
    /// The hashed form, for the store.
    pub stored: NewCredentials,
}

impl std::fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedCredentials { <redacted> }")
    }
}

/// Draws a default password and an activation code valid for `minutes`.
pub async fn issue(
    passwords: &Passwords,
    now: OffsetDateTime,
    minutes: u32,
) -> Result<IssuedCredentials, AppError> {
    let default_password = random_password(8);
    let activation_code = random_digits(6);
    let password_hash = passwords.hash(default_password.clone()).await?;
    let activation_code_hash = passwords.hash(activation_code.clone()).await?;
    Ok(IssuedCredentials {
        default_password,
        activation_code,
        stored: NewCredentials {
            password_hash,
            activation_code_hash,
            activation_expires_at: now + time::Duration::minutes(i64::from(minutes)),
        },
    })
}

/// Whether an activation code expiring at `expires_at` is still valid at `now`.
pub fn code_is_live(expires_at: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    expires_at.is_some_and(|end| now < end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn code_expires_at_its_end() {
        let end = datetime!(2030-01-01 00:15 UTC);
        assert!(code_is_live(Some(end), datetime!(2030-01-01 00:14:59 UTC)));
        assert!(!code_is_live(Some(end), end));
        assert!(!code_is_live(None, datetime!(2030-01-01 00:00 UTC)));
    }
}
