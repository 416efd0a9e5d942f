//! Checks and masks e-mail addresses and Taiwanese mobile numbers.

/// Whether `address` looks like a deliverable e-mail address.
pub fn valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let printable = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_graphic() && c != '@' && c != '<' && c != '>' && c != ',')
    };
    address.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && printable(local)
        && printable(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        // And an address the mailer can send to: an account whose activation
        // e-mail cannot leave is refused, not created.
        && address.parse::<lettre::Address>().is_ok()
}

/// Whether `number` is a Taiwan mobile number: `09` + 8 digits or `+8869` + 8 digits.
pub fn valid_mobile(number: &str) -> bool {
    let digits = |s: &str| s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit());
    match (number.strip_prefix("09"), number.strip_prefix("+8869")) {
        (Some(rest), _) | (_, Some(rest)) => digits(rest),
        _ => false,
    }
}

/// `c***@example.com`.
pub fn mask_email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// `0912***678`: first four and last three digits.
pub fn mask_mobile(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 8 {
        return "***".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}***{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses() {
        assert!(valid_email("chen@example.com"));
        assert!(valid_email("a.b+c@mail.example.com.tw"));
        for bad in [
            "",
            "chen",
            "chen@",
            "@example.com",
            "chen@example",
            "ch en@example.com",
            "a@b@c.com",
            "a@.example.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn mobile_numbers() {
        assert!(valid_mobile("0912345678"));
        assert!(valid_mobile("+886912345678"));
        for bad in [
            "",
            "091234567",
            "09123456789",
            "0212345678",
            "+886212345678",
            "09-12345678",
        ] {
            assert!(!valid_mobile(bad), "{bad}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask_email("chen@example.com"), "c***@example.com");
        assert_eq!(mask_mobile("0912345678"), "0912***678");
        assert_eq!(mask_mobile("+886912345678"), "+886***678");
    }
}
