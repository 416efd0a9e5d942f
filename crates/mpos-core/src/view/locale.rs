//! The languages the app speaks.

/// The user's language: Traditional Chinese (Taiwan) by default, or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Locale {
    /// 繁體中文（台灣）.
    #[default]
    ZhTw,
    /// English.
    En,
}

impl Locale {
    /// The BCP 47 tag (`zh-TW`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhTw => "zh-TW",
            Locale::En => "en",
        }
    }

    /// The locale of a BCP 47 tag: English for `en...`, otherwise Traditional Chinese.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::ZhTw
        }
    }

    /// Picks the text of this locale.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::ZhTw => zh,
            Locale::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_default_to_chinese() {
        for locale in [Locale::ZhTw, Locale::En] {
            assert_eq!(Locale::from_tag(locale.tag()), locale);
        }
        assert_eq!(Locale::from_tag("en-US"), Locale::En);
        assert_eq!(Locale::from_tag("zh-Hant-TW"), Locale::ZhTw);
        assert_eq!(Locale::default(), Locale::ZhTw);
    }
}
