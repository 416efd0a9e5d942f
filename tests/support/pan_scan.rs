//! Looks for card numbers in clear in text the phone wrote or showed.
//!
//! Three nets:
//! - a number of 13 to 19 digits standing alone (not part of a longer
//!   run of letters and digits) that passes the Luhn check;
//! - any test-catalogue card number anywhere, even inside hex, a longer
//!   digit run, or written with spaces or dashes between digit groups;
//! - magnetic-track sentinels: `;` + digits + `=` (track 2) and `%B` (track 1);
//! - PIN material: a test card's PIN of 6 or more digits standing alone, and
//!   the clear ISO 9564 PIN field of any test card's PIN (format 0 `0L` +
//!   PIN + `F` fill, format 4 `4L` + PIN + `A` fill), in any case.
//!
//! Standalone numbers only for the Luhn net, because hex blobs (the
//! reader's encrypted envelope, key serial numbers) are full of digit runs
//! that pass Luhn by chance one time in ten; the catalogue net covers
//! those contexts for every card the tests use.

use mpos_cards::CATALOGUE;
use mpos_wire::luhn_valid;

/// One suspicious spot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where the text came from.
    pub source: String,
    /// Which net caught it.
    pub rule: &'static str,
    /// The text around it.
    pub excerpt: String,
}

/// Every finding in `text`.
pub fn scan(source: &str, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut found = |rule: &'static str, at: usize, len: usize| {
        findings.push(Finding {
            source: source.to_string(),
            rule,
            excerpt: excerpt(text, at, len),
        });
    };

    for (at, word) in words(text) {
        let all_digits = word.bytes().all(|b| b.is_ascii_digit());
        if all_digits && (13..=19).contains(&word.len()) && luhn_valid(word) {
            found("luhn-valid standalone number", at, word.len());
        }
    }

    let compact: String = text.chars().filter(|c| *c != ' ' && *c != '-').collect();
    for card in CATALOGUE {
        for (at, _) in text.match_indices(card.pan) {
            found("test card number", at, card.pan.len());
        }
        if !text.contains(card.pan) && compact.contains(card.pan) {
            found("test card number with separators", 0, 0);
        }
    }

    // 4-digit PINs alone would match years and amounts; their PIN fields cannot.
    for card in CATALOGUE {
        if card.pin.len() >= 6 {
            for (at, word) in words(text) {
                if word == card.pin {
                    found("test card PIN", at, word.len());
                }
            }
        }
    }
    let upper = text.to_ascii_uppercase();
    for card in CATALOGUE {
        let len = card.pin.len();
        for (control, fill) in [('0', "F"), ('4', "A")] {
            let field = format!("{control}{len:X}{}{}", card.pin, fill.repeat(14 - len));
            for (at, _) in upper.match_indices(&field) {
                found("clear PIN field", at, field.len());
            }
        }
    }

    let bytes = text.as_bytes();
    for (at, _) in text.match_indices(';') {
        let digits = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits >= 12 && bytes.get(at + 1 + digits) == Some(&b'=') {
            found("track 2 sentinel", at, digits + 2);
        }
    }
    for (at, _) in text.match_indices("%B") {
        if bytes.get(at + 2).is_some_and(u8::is_ascii_digit) {
            found("track 1 sentinel", at, 3);
        }
    }
    findings
}

/// Maximal runs of ASCII letters and digits, with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    let mut out = Vec::new();
    for (i, b) in text.bytes().enumerate() {
        match (b.is_ascii_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

fn excerpt(text: &str, at: usize, len: usize) -> String {
    let mut from = at.saturating_sub(40);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + len + 40).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    text[from..to].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_luhn_valid_number_standing_alone() {
        let findings = scan("log", "card=4000056655665556 ok");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "luhn-valid standalone number");
    }

    #[test]
    fn ignores_masked_numbers_and_non_luhn_runs() {
        assert!(scan("log", "411111******1111 amount 4000056655665557").is_empty());
        // A KSN is 24 digits: too long to be a card number.
        assert!(scan("log", "ksn 123456789012345600000001").is_empty());
    }

    #[test]
    fn finds_catalogue_numbers_inside_hex_and_with_separators() {
        let hex = scan("db", "5A084111111111111111D3012");
        assert!(hex.iter().any(|f| f.rule == "test card number"), "{hex:?}");
        let spaced = scan("screen", "4111 1111 1111 1111");
        assert!(
            spaced
                .iter()
                .any(|f| f.rule == "test card number with separators"),
            "{spaced:?}"
        );
    }

    #[test]
    fn finds_a_test_cards_pin_and_its_clear_pin_field() {
        let alone = scan("log", "entered pin=246813 ok");
        assert!(alone.iter().any(|f| f.rule == "test card PIN"), "{alone:?}");
        // Inside a longer run it is not a PIN on its own (hex of ciphertext).
        assert!(scan("log", "ab246813cd").is_empty());
        let format4 = scan("db", "x441234aaaaaaaaaa2f69adde");
        assert!(
            format4.iter().any(|f| f.rule == "clear PIN field"),
            "{format4:?}"
        );
        let format0 = scan("db", "06975310FFFFFFFF");
        assert!(
            format0.iter().any(|f| f.rule == "clear PIN field"),
            "{format0:?}"
        );
    }

    #[test]
    fn finds_track_sentinels() {
        let track2 = scan("log", "x;4000056655665556=30122010000");
        assert!(
            track2.iter().any(|f| f.rule == "track 2 sentinel"),
            "{track2:?}"
        );
        let track1 = scan("log", "%B4000056655665556^TEST/CARD^3012");
        assert!(
            track1.iter().any(|f| f.rule == "track 1 sentinel"),
            "{track1:?}"
        );
    }
}
