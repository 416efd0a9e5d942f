//! [`AppVersion`]: the phone app's version as the gateway announces it and
//! the pre-shift check compares it (`MAJOR.MINOR.PATCH`, numbers only).

use std::fmt;
use std::str::FromStr;

/// A release version, ordered by major, then minor, then patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppVersion {
    /// Incompatible changes.
    pub major: u32,
    /// New features.
    pub minor: u32,
    /// Fixes, security patches among them.
    pub patch: u32,
}

/// Why a text is not a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a version: write MAJOR.MINOR.PATCH, numbers only (e.g. 1.4.2)")]
pub struct VersionError(pub String);

impl FromStr for AppVersion {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || VersionError(text.to_string());
        let mut parts = text.split('.').map(|part| {
            // Leading "+" or "-" and empty parts are not numbers here.
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error());
            }
            part.parse::<u32>().map_err(|_| error())
        });
        let (Some(major), Some(minor), Some(patch), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(error());
        };
        Ok(AppVersion {
            major: major?,
            minor: minor?,
            patch: patch?,
        })
    }
}

impl fmt::Display for AppVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> AppVersion {
        text.parse().unwrap()
    }

    #[test]
    fn versions_order_by_number_not_by_text() {
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("1.0.0") > v("0.99.99"));
        assert!(v("1.2.10") > v("1.2.9"));
        assert_eq!(v("1.2.3"), v("1.2.3"));
        assert_eq!(v("01.2.3").to_string(), "1.2.3");
    }

    #[test]
    fn only_three_plain_numbers_are_a_version() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.2.x",
            "1..3",
            "-1.2.3",
            "+1.2.3",
            "1.2.3-beta",
            " 1.2.3",
        ] {
            let error = bad.parse::<AppVersion>().unwrap_err();
            assert!(
                error.to_string().contains("MAJOR.MINOR.PATCH"),
                "{bad}: {error}"
            );
        }
    }
}
