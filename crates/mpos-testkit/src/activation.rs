//! Reads the account name, default password and activation code out of the
//! activation e-mail and SMS, as a new phone user would.
//!
//! The line formats below are a contract with the gateway, which writes
//! them. The gateway does not depend on this crate, so it keeps its own copy
//! of these constants: change both together.

/// E-mail line carrying the account name: `帳號 Account: <name>`.
pub const EMAIL_ACCOUNT_PREFIX: &str = "帳號 Account: ";
/// E-mail line carrying the default password: `預設密碼 Default password: <password>`.
pub const EMAIL_DEFAULT_PASSWORD_PREFIX: &str = "預設密碼 Default password: ";
/// SMS text carrying the code: `啟動驗證碼 Activation code: <6 digits>`.
pub const SMS_ACTIVATION_CODE_PREFIX: &str = "啟動驗證碼 Activation code: ";
/// Digits of an activation code.
pub const ACTIVATION_CODE_DIGITS: usize = 6;

/// Why an activation message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivationTextError {
    /// The text has no line with this prefix, or the value after it is empty.
    #[error("no {prefix:?} line with a value in the message")]
    Missing {
        /// The prefix looked for.
        prefix: &'static str,
    },
    /// The text after the code prefix is not exactly 6 digits.
    #[error("the activation code is not exactly 6 digits")]
    MalformedCode,
}

/// The account name from the activation e-mail's text.
pub fn account_name(email_text: &str) -> Result<String, ActivationTextError> {
    line_value(email_text, EMAIL_ACCOUNT_PREFIX)
}

/// The default password from the activation e-mail's text.
pub fn default_password(email_text: &str) -> Result<String, ActivationTextError> {
    line_value(email_text, EMAIL_DEFAULT_PASSWORD_PREFIX)
}

/// The 6-digit activation code from the SMS text (the prefix may be mid-line).
pub fn activation_code(sms_text: &str) -> Result<String, ActivationTextError> {
    let missing = ActivationTextError::Missing {
        prefix: SMS_ACTIVATION_CODE_PREFIX,
    };
    let at = sms_text.find(SMS_ACTIVATION_CODE_PREFIX).ok_or(missing)?;
    let rest = &sms_text[at + SMS_ACTIVATION_CODE_PREFIX.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() != ACTIVATION_CODE_DIGITS {
        return Err(ActivationTextError::MalformedCode);
    }
    Ok(digits)
}

/// The rest of the first line that contains `prefix`, trimmed; never empty.
fn line_value(text: &str, prefix: &'static str) -> Result<String, ActivationTextError> {
    text.lines()
        .find_map(|line| line.split_once(prefix).map(|(_, value)| value.trim()))
        .filter(|value| !value.is_empty())
        .map(str::to_string)
        .ok_or(ActivationTextError::Missing { prefix })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "親愛的用戶您好 Dear user,\n\
        \n\
        帳號 Account: shop01-alice\n\
        預設密碼 Default password: Xk7-p2Qm\r\n\
        請於首次登入後變更密碼。\n";

    #[test]
    fn reads_account_and_password_lines() {
        assert_eq!(account_name(EMAIL).unwrap(), "shop01-alice");
        assert_eq!(default_password(EMAIL).unwrap(), "Xk7-p2Qm");
    }

    #[test]
    fn missing_or_empty_lines_are_errors() {
        assert_eq!(
            account_name("Account: x"),
            Err(ActivationTextError::Missing {
                prefix: EMAIL_ACCOUNT_PREFIX
            })
        );
        assert_eq!(
            default_password("預設密碼 Default password:   \n"),
            Err(ActivationTextError::Missing {
                prefix: EMAIL_DEFAULT_PASSWORD_PREFIX
            })
        );
    }

    #[test]
    fn reads_the_code_mid_text() {
        let sms = "【KGI mPOS】啟動驗證碼 Activation code: 042519，10 分鐘內有效。";
        assert_eq!(activation_code(sms).unwrap(), "042519");
        assert_eq!(
            activation_code("啟動驗證碼 Activation code: 123456").unwrap(),
            "123456"
        );
    }

    #[test]
    fn code_must_be_exactly_six_digits() {
        for sms in [
            "啟動驗證碼 Activation code: 12345",
            "啟動驗證碼 Activation code: 1234567",
            "啟動驗證碼 Activation code: 12a456",
            "啟動驗證碼 Activation code: ",
        ] {
            assert_eq!(
                activation_code(sms),
                Err(ActivationTextError::MalformedCode),
                "{sms}"
            );
        }
        assert_eq!(
            activation_code("Activation code: 123456"),
            Err(ActivationTextError::Missing {
                prefix: SMS_ACTIVATION_CODE_PREFIX
            })
        );
    }
}
