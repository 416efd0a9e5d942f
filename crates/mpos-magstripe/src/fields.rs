//! The payment card's field rules: ISO 7813 for tracks 1 and 2, the ISO
//! 4909 opening (format code, card number) for track 3, and Luhn. They say
//! whether an accepted track is a payment card's ([`crate::TrackKind`]);
//! the decoder itself accepts any well-formed ISO 7811 track, since a raw
//! head reads other cards too, and the payment path refuses the rest.

use super::rejection::FieldRejection;

/// Checks a framed track's payment fields, `text` running from the start
/// sentinel through the end sentinel.
pub fn check_fields(track: u8, text: &str) -> Result<(), FieldRejection> {
    let Some(inner) = text.get(1..text.len().saturating_sub(1)) else {
        return Err(FieldRejection::PanLength);
    };
    match track {
        1 => check_track1(inner),
        2 => check_track2(inner),
        _ => check_track3(inner),
    }
}

/// Where the card number sits in a track's text (sentinels included).
pub fn pan_range(track: u8, text: &str) -> Option<std::ops::Range<usize>> {
    let start = match track {
        1 => 2,
        2 => 1,
        _ => 3,
    };
    let digits = text
        .get(start..)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    (12..=19).contains(&digits).then_some(start..start + digits)
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Splits off a 12-19 digit Luhn-valid card number ended by `separator`.
fn take_pan(s: &str, separator: char) -> Result<&str, FieldRejection> {
    let (pan, rest) = s.split_once(separator).ok_or(FieldRejection::PanLength)?;
    if !(12..=19).contains(&pan.len()) || !all_digits(pan) {
        return Err(FieldRejection::PanLength);
    }
    if !mpos_wire::luhn_valid(pan) {
        return Err(FieldRejection::Luhn);
    }
    Ok(rest)
}

/// Checks `YYMM` + service code and returns the discretionary data after them.
fn take_expiry_and_service_code(s: &str) -> Result<&str, FieldRejection> {
    let expiry = s.get(..4).ok_or(FieldRejection::Expiry)?;
    let month = expiry.get(2..).unwrap_or_default();
    if !all_digits(expiry) || !("01"..="12").contains(&month) {
        return Err(FieldRejection::Expiry);
    }
    let service = s.get(4..7).ok_or(FieldRejection::ServiceCode)?;
    if !all_digits(service) {
        return Err(FieldRejection::ServiceCode);
    }
    Ok(&s[7..])
}

fn check_track2(inner: &str) -> Result<(), FieldRejection> {
    let rest = take_pan(inner, '=')?;
    let discretionary = take_expiry_and_service_code(rest)?;
    if !all_digits(discretionary) {
        return Err(FieldRejection::Character);
    }
    Ok(())
}

fn check_track1(inner: &str) -> Result<(), FieldRejection> {
    let rest = inner.strip_prefix('B').ok_or(FieldRejection::FormatCode)?;
    let rest = take_pan(rest, '^')?;
    let (name, rest) = rest.split_once('^').ok_or(FieldRejection::Name)?;
    let name_ok = (2..=26).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b" /.-'".contains(&b));
    if !name_ok {
        return Err(FieldRejection::Name);
    }
    let discretionary = take_expiry_and_service_code(rest)?;
    if discretionary.contains('^') {
        return Err(FieldRejection::Character);
    }
    Ok(())
}

fn check_track3(inner: &str) -> Result<(), FieldRejection> {
    let format_code = inner.get(..2).ok_or(FieldRejection::FormatCode)?;
    if !all_digits(format_code) {
        return Err(FieldRejection::FormatCode);
    }
    let rest = take_pan(&inner[2..], '=')?;
    if !rest.bytes().all(|b| b.is_ascii_digit() || b == b'=') {
        return Err(FieldRejection::Character);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_tracks_pass() {
        assert_eq!(
            check_fields(2, ";4111111111111111=30122011234567890?"),
            Ok(())
        );
        assert_eq!(check_fields(2, ";378282246310005=3012101?"), Ok(()));
        assert_eq!(
            check_fields(1, "%B5555555555554444^TEST/MASTERCARD^3012201000?"),
            Ok(())
        );
        assert_eq!(check_fields(3, ";014111111111111111=724724==1=00?"), Ok(()));
    }

    #[test]
    fn luhn_failure_is_named() {
        assert_eq!(
            check_fields(2, ";4111111111111112=30122011234567890?"),
            Err(FieldRejection::Luhn)
        );
        assert_eq!(
            check_fields(1, "%B4111111111111112^A B^3012201?"),
            Err(FieldRejection::Luhn)
        );
    }

    #[test]
    fn structural_failures_are_named() {
        let cases: [(u8, &str, FieldRejection); 11] = [
            (2, ";41111111111=3012201?", FieldRejection::PanLength),
            (
                2,
                ";41111111111111111111=3012201?",
                FieldRejection::PanLength,
            ),
            (2, ";4111111111111111=3013201?", FieldRejection::Expiry),
            (2, ";4111111111111111=3000201?", FieldRejection::Expiry),
            (2, ";4111111111111111=30122?", FieldRejection::ServiceCode),
            (2, ";4111111111111111=3012201=1?", FieldRejection::Character),
            (
                1,
                "%A4111111111111111^A B^3012201?",
                FieldRejection::FormatCode,
            ),
            (1, "%B4111111111111111^X^3012201?", FieldRejection::Name),
            (1, "%B4111111111111111^TEST/VISA", FieldRejection::Name),
            (
                1,
                "%B4111111111111111^AB^3012201^?",
                FieldRejection::Character,
            ),
            (3, ";A14111111111111111=1?", FieldRejection::FormatCode),
        ];
        for (track, text, expected) in cases {
            assert_eq!(check_fields(track, text), Err(expected), "{text}");
        }
    }

    #[test]
    fn pan_range_finds_the_number_on_each_track() {
        let t2 = ";4111111111111111=3012201?";
        assert_eq!(&t2[pan_range(2, t2).unwrap()], "4111111111111111");
        let t1 = "%B5555555555554444^A B^3012201?";
        assert_eq!(&t1[pan_range(1, t1).unwrap()], "5555555555554444");
        let t3 = ";01378282246310005=1?";
        assert_eq!(&t3[pan_range(3, t3).unwrap()], "378282246310005");
        assert_eq!(pan_range(2, ";12345=?"), None);
    }
}
