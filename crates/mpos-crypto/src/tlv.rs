//! A strict BER-TLV codec for EMV data objects (EMV Book 3, Annex B).
//!
//! Strict means: definite lengths only, in their shortest form, at most
//! 4 length bytes and 4 tag bytes, and a bounded nesting depth. Bytes `00`
//! and `FF` before, between and after objects are padding and are skipped.
//! Every parse error carries the byte offset (from the start of the input)
//! of the field that failed, so a reader's bad data can be pinned down.

use std::fmt;

/// At most this many constructed objects nest inside each other (EMV templates nest 2 or 3 deep).
pub const MAX_DEPTH: usize = 16;

/// Why BER-TLV data could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The input ended inside a tag.
    #[error("BER-TLV: truncated tag at byte {offset}")]
    TruncatedTag {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// A tag is longer than 4 bytes.
    #[error("BER-TLV: tag longer than 4 bytes at byte {offset}")]
    TagTooLong {
        /// Offset of the tag's first byte.
        offset: usize,
    },
    /// The input ended inside a length.
    #[error("BER-TLV: truncated length at byte {offset}")]
    TruncatedLength {
        /// Offset of the length's first byte.
        offset: usize,
    },
    /// Length byte `80`: indefinite lengths are not allowed in EMV.
    #[error("BER-TLV: indefinite length at byte {offset}")]
    IndefiniteLength {
        /// Offset of the length byte.
        offset: usize,
    },
    /// A long-form length that the short form (or fewer bytes) could carry.
    #[error("BER-TLV: non-minimal length at byte {offset}")]
    NonMinimalLength {
        /// Offset of the length's first byte.
        offset: usize,
    },
    /// A length of more than 4 bytes (`85` and above).
    #[error("BER-TLV: length longer than 4 bytes at byte {offset}")]
    LengthTooLong {
        /// Offset of the length's first byte.
        offset: usize,
    },
    /// The value is shorter than its length says.
    #[error(
        "BER-TLV: truncated value at byte {offset}: {length} bytes announced, {available} present"
    )]
    TruncatedValue {
        /// Offset of the value's first byte.
        offset: usize,
        /// The announced length.
        length: usize,
        /// The bytes actually left.
        available: usize,
    },
    /// Constructed objects nest deeper than [`MAX_DEPTH`].
    #[error("BER-TLV: nesting deeper than {MAX_DEPTH} at byte {offset}")]
    NestingTooDeep {
        /// Offset of the tag that went too deep.
        offset: usize,
    },
    /// A number is not a well-formed tag.
    #[error("BER-TLV: {tag:#X} is not a valid tag")]
    InvalidTag {
        /// The refused value.
        tag: u32,
    },
    /// A primitive value was given a constructed tag, or the other way round.
    #[error("BER-TLV: tag {tag} has the other form (primitive/constructed)")]
    WrongForm {
        /// The tag.
        tag: Tag,
    },
    /// A value longer than 4 length bytes can say.
    #[error("BER-TLV: value too long")]
    ValueTooLong,
    /// A number does not fit the digits of an EMV `n` field.
    #[error("BER-TLV: {value} does not fit in {digits} digits")]
    NumberTooLarge {
        /// The number.
        value: u64,
        /// The field's digits.
        digits: usize,
    },
    /// A value that should be BCD digits is not.
    #[error("BER-TLV: value is not BCD digits")]
    NotNumeric,
    /// The text is not hex.
    #[error("BER-TLV: not hex")]
    InvalidHex,
}

/// A BER-TLV tag of 1 to 4 bytes, held as its big-endian value (`0x9F02`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

impl Tag {
    /// Builds a tag from its big-endian value, checking its structure.
    pub fn new(value: u32) -> Result<Tag, TlvError> {
        let bytes = minimal_be_bytes(value);
        match read_tag(&bytes, 0, bytes.len()) {
            Ok((tag, used)) if used == bytes.len() => Ok(tag),
            _ => Err(TlvError::InvalidTag { tag: value }),
        }
    }

    /// For the constants below, whose structure is checked by a test.
    const fn known(value: u32) -> Tag {
        Tag(value)
    }

    /// The big-endian value (`0x9F02`).
    pub fn value(self) -> u32 {
        self.0
    }

    /// The tag's bytes as they are encoded.
    pub fn to_bytes(self) -> Vec<u8> {
        minimal_be_bytes(self.0)
    }

    /// Whether the constructed bit (0x20 of the first byte) is set.
    pub fn is_constructed(self) -> bool {
        self.to_bytes()[0] & 0x20 != 0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.to_bytes()))
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

/// EMV tags the reader and the gateway use.
pub mod tags {
    use super::Tag;

    /// 9F02 Amount, authorised (n12).
    pub const AMOUNT_AUTHORISED: Tag = Tag::known(0x9F02);
    /// 5F2A Transaction currency code (n3).
    pub const TRANSACTION_CURRENCY_CODE: Tag = Tag::known(0x5F2A);
    /// 9A Transaction date (n6, YYMMDD).
    pub const TRANSACTION_DATE: Tag = Tag::known(0x9A);
    /// 9C Transaction type (n2: 00 sale, 20 refund).
    pub const TRANSACTION_TYPE: Tag = Tag::known(0x9C);
    /// 9F37 Unpredictable number (4 bytes).
    pub const UNPREDICTABLE_NUMBER: Tag = Tag::known(0x9F37);
    /// 5A Application PAN (never outside the envelope).
    pub const PAN: Tag = Tag::known(0x5A);
    /// 5F34 PAN sequence number (n2).
    pub const PAN_SEQUENCE_NUMBER: Tag = Tag::known(0x5F34);
    /// 82 Application interchange profile.
    pub const AIP: Tag = Tag::known(0x82);
    /// 9F36 Application transaction counter.
    pub const ATC: Tag = Tag::known(0x9F36);
    /// 9F03 Amount, other (n12; cashback, zero here).
    pub const AMOUNT_OTHER: Tag = Tag::known(0x9F03);
    /// 9F1A Terminal country code (n3).
    pub const TERMINAL_COUNTRY_CODE: Tag = Tag::known(0x9F1A);
    /// 95 Terminal verification results (5 bytes).
    pub const TVR: Tag = Tag::known(0x95);
    /// 9F10 Issuer application data (carries the card verification results).
    pub const ISSUER_APPLICATION_DATA: Tag = Tag::known(0x9F10);
    /// 9F26 Application cryptogram (the ARQC of the first GENERATE AC).
    pub const APPLICATION_CRYPTOGRAM: Tag = Tag::known(0x9F26);
    /// 9F27 Cryptogram information data (`80` = ARQC).
    pub const CRYPTOGRAM_INFORMATION_DATA: Tag = Tag::known(0x9F27);
    /// 70 READ RECORD response template.
    pub const READ_RECORD_TEMPLATE: Tag = Tag::known(0x70);
    /// 77 Response message template format 2.
    pub const RESPONSE_TEMPLATE_2: Tag = Tag::known(0x77);

    /// Every constant above, for the structure test.
    pub const ALL: [Tag; 17] = [
        AMOUNT_AUTHORISED,
        AMOUNT_OTHER,
        TERMINAL_COUNTRY_CODE,
        TVR,
        ISSUER_APPLICATION_DATA,
        APPLICATION_CRYPTOGRAM,
        CRYPTOGRAM_INFORMATION_DATA,
        TRANSACTION_CURRENCY_CODE,
        TRANSACTION_DATE,
        TRANSACTION_TYPE,
        UNPREDICTABLE_NUMBER,
        PAN,
        PAN_SEQUENCE_NUMBER,
        AIP,
        ATC,
        READ_RECORD_TEMPLATE,
        RESPONSE_TEMPLATE_2,
    ];
}

/// The value of a data object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Bytes of a primitive object.
    Primitive(Vec<u8>),
    /// Objects inside a constructed object.
    Constructed(Vec<Tlv>),
}

/// One data object; its tag's form always matches its value's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tlv {
    tag: Tag,
    value: Value,
}

/// The largest length 4 length bytes can carry.
const MAX_LENGTH: usize = u32::MAX as usize;

impl Tlv {
    /// A primitive object; refuses a constructed tag.
    pub fn primitive(tag: Tag, value: impl Into<Vec<u8>>) -> Result<Tlv, TlvError> {
        let value = value.into();
        if tag.is_constructed() {
            return Err(TlvError::WrongForm { tag });
        }
        if value.len() > MAX_LENGTH {
            return Err(TlvError::ValueTooLong);
        }
        Ok(Tlv {
            tag,
            value: Value::Primitive(value),
        })
    }

    /// A constructed object; refuses a primitive tag.
    pub fn constructed(tag: Tag, children: Vec<Tlv>) -> Result<Tlv, TlvError> {
        if !tag.is_constructed() {
            return Err(TlvError::WrongForm { tag });
        }
        let length: usize = children.iter().map(Tlv::encoded_len).sum();
        if length > MAX_LENGTH {
            return Err(TlvError::ValueTooLong);
        }
        Ok(Tlv {
            tag,
            value: Value::Constructed(children),
        })
    }

    /// A primitive object of EMV format `n`: BCD digits, right-aligned, zero-filled.
    pub fn numeric(tag: Tag, value: u64, digits: usize) -> Result<Tlv, TlvError> {
        Tlv::primitive(tag, bcd(value, digits)?)
    }

    /// The tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The value.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The bytes of a primitive object.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            Value::Primitive(bytes) => Some(bytes),
            Value::Constructed(_) => None,
        }
    }

    /// The children of a constructed object.
    pub fn children(&self) -> Option<&[Tlv]> {
        match &self.value {
            Value::Primitive(_) => None,
            Value::Constructed(children) => Some(children),
        }
    }

    /// Appends the object's encoding.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend(self.tag.to_bytes());
        encode_length(self.value_len(), out);
        match &self.value {
            Value::Primitive(bytes) => out.extend_from_slice(bytes),
            Value::Constructed(children) => children.iter().for_each(|c| c.encode_into(out)),
        }
    }

    fn value_len(&self) -> usize {
        match &self.value {
            Value::Primitive(bytes) => bytes.len(),
            Value::Constructed(children) => children.iter().map(Tlv::encoded_len).sum(),
        }
    }

    fn encoded_len(&self) -> usize {
        let value = self.value_len();
        self.tag.to_bytes().len() + length_len(value) + value
    }
}

/// Encodes objects one after the other.
pub fn encode(objects: &[Tlv]) -> Vec<u8> {
    let mut out = Vec::new();
    objects
        .iter()
        .for_each(|object| object.encode_into(&mut out));
    out
}

/// Encodes objects as uppercase hex.
pub fn encode_hex(objects: &[Tlv]) -> String {
    hex::encode_upper(encode(objects))
}

/// Parses a sequence of objects, recursing into constructed ones.
pub fn parse(input: &[u8]) -> Result<Vec<Tlv>, TlvError> {
    parse_range(input, 0, input.len(), 0)
}

/// Parses hex text; offsets in errors count bytes, not hex digits.
pub fn parse_hex(text: &str) -> Result<Vec<Tlv>, TlvError> {
    parse(&hex::decode(text).map_err(|_| TlvError::InvalidHex)?)
}

/// The first object with this tag, searching depth-first into constructed objects.
pub fn find(objects: &[Tlv], tag: Tag) -> Option<&Tlv> {
    objects.iter().find_map(|object| {
        if object.tag == tag {
            Some(object)
        } else {
            object.children().and_then(|children| find(children, tag))
        }
    })
}

/// The bytes of the first primitive object with this tag.
pub fn find_bytes(objects: &[Tlv], tag: Tag) -> Option<&[u8]> {
    find(objects, tag).and_then(Tlv::bytes)
}

/// Reads an EMV format `n` value (BCD digits) as a number.
pub fn numeric_value(bytes: &[u8]) -> Result<u64, TlvError> {
    if bytes.len() > 10 {
        return Err(TlvError::NotNumeric);
    }
    bytes
        .iter()
        .flat_map(|&b| [b >> 4, b & 0x0F])
        .try_fold(0u64, |acc, digit| {
            if digit > 9 {
                return Err(TlvError::NotNumeric);
            }
            acc.checked_mul(10)
                .and_then(|acc| acc.checked_add(u64::from(digit)))
                .ok_or(TlvError::NotNumeric)
        })
}

/// `value` as `digits` BCD digits (odd counts get a leading zero nibble).
fn bcd(value: u64, digits: usize) -> Result<Vec<u8>, TlvError> {
    let text = format!("{value:0digits$}", digits = digits + digits % 2);
    if text.len() > digits + digits % 2 || (digits % 2 == 1 && !text.starts_with('0')) {
        return Err(TlvError::NumberTooLarge { value, digits });
    }
    Ok(hex::decode(text).expect("decimal digits are hex digits"))
}

fn parse_range(
    input: &[u8],
    mut pos: usize,
    end: usize,
    depth: usize,
) -> Result<Vec<Tlv>, TlvError> {
    let mut objects = Vec::new();
    loop {
        while pos < end && matches!(input[pos], 0x00 | 0xFF) {
            pos += 1;
        }
        if pos == end {
            return Ok(objects);
        }
        let tag_offset = pos;
        let (tag, tag_len) = read_tag(input, pos, end)?;
        pos += tag_len;
        let (length, length_len) = read_length(input, pos, end)?;
        pos += length_len;
        let available = end - pos;
        if length > available {
            return Err(TlvError::TruncatedValue {
                offset: pos,
                length,
                available,
            });
        }
        let value = if tag.is_constructed() {
            if depth >= MAX_DEPTH {
                return Err(TlvError::NestingTooDeep { offset: tag_offset });
            }
            Value::Constructed(parse_range(input, pos, pos + length, depth + 1)?)
        } else {
            Value::Primitive(input[pos..pos + length].to_vec())
        };
        pos += length;
        objects.push(Tlv { tag, value });
    }
}

/// Reads a tag at `pos`; returns it and its byte count.
fn read_tag(input: &[u8], pos: usize, end: usize) -> Result<(Tag, usize), TlvError> {
    let first = *input
        .get(pos)
        .filter(|_| pos < end)
        .ok_or(TlvError::TruncatedTag { offset: pos })?;
    if matches!(first, 0x00 | 0xFF) {
        return Err(TlvError::InvalidTag {
            tag: u32::from(first),
        });
    }
    let mut value = u32::from(first);
    let mut len = 1;
    if first & 0x1F == 0x1F {
        loop {
            if len == 4 {
                return Err(TlvError::TagTooLong { offset: pos });
            }
            let next = *input
                .get(pos + len)
                .filter(|_| pos + len < end)
                .ok_or(TlvError::TruncatedTag { offset: pos })?;
            value = (value << 8) | u32::from(next);
            len += 1;
            if next & 0x80 == 0 {
                break;
            }
        }
    }
    Ok((Tag(value), len))
}

/// Reads a definite, minimal length at `pos`; returns it and its byte count.
fn read_length(input: &[u8], pos: usize, end: usize) -> Result<(usize, usize), TlvError> {
    let first = *input
        .get(pos)
        .filter(|_| pos < end)
        .ok_or(TlvError::TruncatedLength { offset: pos })?;
    if first < 0x80 {
        return Ok((usize::from(first), 1));
    }
    if first == 0x80 {
        return Err(TlvError::IndefiniteLength { offset: pos });
    }
    let count = usize::from(first & 0x7F);
    if count > 4 {
        return Err(TlvError::LengthTooLong { offset: pos });
    }
    if end - pos - 1 < count {
        return Err(TlvError::TruncatedLength { offset: pos });
    }
    let bytes = &input[pos + 1..pos + 1 + count];
    let length = bytes
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    let minimal = if count == 1 {
        length >= 0x80
    } else {
        bytes[0] != 0
    };
    if !minimal {
        return Err(TlvError::NonMinimalLength { offset: pos });
    }
    Ok((length, 1 + count))
}

fn length_len(length: usize) -> usize {
    match length {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        0x100..=0xFFFF => 3,
        0x1_0000..=0xFF_FFFF => 4,
        _ => 5,
    }
}

fn encode_length(length: usize, out: &mut Vec<u8>) {
    let count = length_len(length) - 1;
    if count == 0 {
        out.push(length as u8);
    } else {
        out.push(0x80 | count as u8);
        let bytes = (length as u32).to_be_bytes();
        out.extend_from_slice(&bytes[4 - count..]);
    }
}

fn minimal_be_bytes(value: u32) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(3);
    bytes[skip..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(value: u32) -> Tag {
        Tag::new(value).unwrap()
    }

    fn bytes(text: &str) -> Vec<u8> {
        hex::decode(text.replace(' ', "")).unwrap()
    }

    #[test]
    fn parses_a_three_byte_tag() {
        let objects = parse(&bytes("9F8201 02 ABCD")).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].tag(), tag(0x9F8201));
        assert_eq!(objects[0].tag().to_string(), "9F8201");
        assert_eq!(objects[0].bytes(), Some(&[0xAB, 0xCD][..]));
    }

    #[test]
    fn parses_every_long_length_form() {
        for (prefix, length) in [
            ("81 80", 0x80usize),
            ("81 FF", 0xFF),
            ("82 0100", 0x100),
            ("83 010000", 0x1_0000),
            ("84 01000000", 0x100_0000),
        ] {
            let mut input = bytes(&format!("C1 {prefix}"));
            input.resize(input.len() + length, 0x5A);
            let objects = parse(&input).unwrap();
            assert_eq!(objects[0].bytes().unwrap().len(), length, "{prefix}");
            // The encoder picks the same (shortest) form back.
            assert_eq!(encode(&objects), input, "{prefix}");
        }
    }

    #[test]
    fn refuses_non_minimal_lengths() {
        for input in [
            "5A 81 05 0102030405",
            "5A 82 0005 0102030405",
            "5A 82 0080",
            "5A 83 000100",
            "5A 84 00FFFFFF",
        ] {
            assert_eq!(
                parse(&bytes(input)),
                Err(TlvError::NonMinimalLength { offset: 1 }),
                "{input}"
            );
        }
    }

    #[test]
    fn refuses_indefinite_and_overlong_lengths() {
        assert_eq!(
            parse(&bytes("70 80 5A01 00 0000")),
            Err(TlvError::IndefiniteLength { offset: 1 })
        );
        assert_eq!(
            parse(&bytes("5A 85 0000000001 00")),
            Err(TlvError::LengthTooLong { offset: 1 })
        );
    }

    #[test]
    fn recurses_into_constructed_objects() {
        let input = bytes("70 11 5F20 03 414243 77 09 9F02 06 000000012345");
        let objects = parse(&input).unwrap();
        let template = &objects[0];
        assert!(template.tag().is_constructed());
        let children = template.children().unwrap();
        assert_eq!(children[0].tag(), tag(0x5F20));
        assert_eq!(children[1].tag(), tag(0x77));
        let amount = find_bytes(&objects, tags::AMOUNT_AUTHORISED).unwrap();
        assert_eq!(numeric_value(amount).unwrap(), 12345);
        assert_eq!(encode(&objects), input);
    }

    #[test]
    fn a_primitive_tag_with_nested_bytes_stays_primitive() {
        // 5A is primitive: its bytes are not parsed even when they look like TLV.
        let objects = parse(&bytes("5A 03 9F0100")).unwrap();
        assert_eq!(objects[0].bytes(), Some(&[0x9F, 0x01, 0x00][..]));
    }

    #[test]
    fn skips_padding_between_objects() {
        let objects = parse(&bytes(
            "00 00 9F02 01 11 FF FF 5F2A 02 0901 00 70 05 00 82 01 22 FF 00",
        ))
        .unwrap();
        let tags: Vec<Tag> = objects.iter().map(Tlv::tag).collect();
        assert_eq!(tags, vec![tag(0x9F02), tag(0x5F2A), tag(0x70)]);
        assert_eq!(objects[2].children().unwrap().len(), 1);
        assert_eq!(parse(&bytes("00 FF 00")).unwrap(), vec![]);
    }

    #[test]
    fn truncated_tag_reports_its_offset() {
        assert_eq!(
            parse(&bytes("9F")),
            Err(TlvError::TruncatedTag { offset: 0 })
        );
        assert_eq!(
            parse(&bytes("5A 01 11 9F 82")),
            Err(TlvError::TruncatedTag { offset: 3 })
        );
        assert_eq!(
            parse(&bytes("9F 82 83 84 01 00")),
            Err(TlvError::TagTooLong { offset: 0 })
        );
    }

    #[test]
    fn truncated_length_reports_its_offset() {
        assert_eq!(
            parse(&bytes("9F02")),
            Err(TlvError::TruncatedLength { offset: 2 })
        );
        assert_eq!(
            parse(&bytes("9F02 82 01")),
            Err(TlvError::TruncatedLength { offset: 2 })
        );
    }

    #[test]
    fn truncated_value_reports_its_offset() {
        assert_eq!(
            parse(&bytes("9F02 06 0000")),
            Err(TlvError::TruncatedValue {
                offset: 3,
                length: 6,
                available: 2
            })
        );
        // Inside a constructed object the child may not run past its parent.
        assert_eq!(
            parse(&bytes("70 04 5A 03 1111 22")),
            Err(TlvError::TruncatedValue {
                offset: 4,
                length: 3,
                available: 2
            })
        );
        // A huge announced length is a truncation, not an allocation.
        assert!(matches!(
            parse(&bytes("5A 84 FFFFFFFF 00")),
            Err(TlvError::TruncatedValue { offset: 6, .. })
        ));
    }

    #[test]
    fn refuses_nesting_beyond_the_limit() {
        let nest = |levels: usize| {
            let mut input = bytes("5A 00");
            for _ in 0..levels {
                let mut outer = vec![0x70, input.len() as u8];
                outer.extend(input);
                input = outer;
            }
            input
        };
        assert!(parse(&nest(MAX_DEPTH)).is_ok());
        assert_eq!(
            parse(&nest(MAX_DEPTH + 1)),
            Err(TlvError::NestingTooDeep {
                offset: 2 * MAX_DEPTH
            })
        );
    }

    #[test]
    fn builds_and_finds_primitive_objects() {
        let objects = vec![
            Tlv::numeric(tags::AMOUNT_AUTHORISED, 120_000, 12).unwrap(),
            Tlv::numeric(tags::TRANSACTION_CURRENCY_CODE, 901, 3).unwrap(),
            Tlv::constructed(
                tags::READ_RECORD_TEMPLATE,
                vec![Tlv::primitive(tags::AIP, [0x18, 0x00]).unwrap()],
            )
            .unwrap(),
        ];
        let text = encode_hex(&objects);
        assert_eq!(text, "9F02060000001200005F2A020901700482021800");
        let parsed = parse_hex(&text).unwrap();
        assert_eq!(parsed, objects);
        assert_eq!(find_bytes(&parsed, tags::AIP), Some(&[0x18, 0x00][..]));
        assert_eq!(find_bytes(&parsed, tags::PAN), None);
        assert_eq!(find_bytes(&parsed, tags::READ_RECORD_TEMPLATE), None);
    }

    #[test]
    fn refuses_wrong_forms_and_bad_numbers() {
        assert_eq!(
            Tlv::primitive(tags::READ_RECORD_TEMPLATE, [1]),
            Err(TlvError::WrongForm {
                tag: tags::READ_RECORD_TEMPLATE
            })
        );
        assert_eq!(
            Tlv::constructed(tags::PAN, vec![]),
            Err(TlvError::WrongForm { tag: tags::PAN })
        );
        assert_eq!(
            Tlv::numeric(tags::TRANSACTION_CURRENCY_CODE, 1000, 3),
            Err(TlvError::NumberTooLarge {
                value: 1000,
                digits: 3
            })
        );
        assert_eq!(
            Tlv::numeric(tags::AMOUNT_AUTHORISED, 1_000_000_000_000, 12),
            Err(TlvError::NumberTooLarge {
                value: 1_000_000_000_000,
                digits: 12
            })
        );
        assert_eq!(numeric_value(&[0x1A]), Err(TlvError::NotNumeric));
        assert_eq!(parse_hex("9F0"), Err(TlvError::InvalidHex));
    }

    #[test]
    fn tag_structure_is_checked() {
        for valid in [0x5A, 0x9F02, 0x9F8201, 0x70, 0xDF818101] {
            assert!(Tag::new(valid).is_ok(), "{valid:#X}");
        }
        // Needs subsequent bytes / last byte still says "more" / single byte that says "more".
        for invalid in [0x9F, 0x9F82, 0x5A01, 0x00, 0xFF, 0x9F828384] {
            assert_eq!(
                Tag::new(invalid),
                Err(TlvError::InvalidTag { tag: invalid }),
                "{invalid:#X}"
            );
        }
        for known in tags::ALL {
            assert_eq!(Tag::new(known.value()), Ok(known));
        }
    }

    #[test]
    fn encodes_lengths_in_the_shortest_form() {
        let encoded = |len: usize| {
            let object = Tlv::primitive(tags::PAN, vec![0; len]).unwrap();
            encode(&[object])[1..]
                .iter()
                .take(4)
                .copied()
                .collect::<Vec<u8>>()
        };
        assert_eq!(encoded(0x7F)[0], 0x7F);
        assert_eq!(encoded(0x80)[..2], [0x81, 0x80]);
        assert_eq!(encoded(0x100)[..3], [0x82, 0x01, 0x00]);
        assert_eq!(encoded(0x1_0000)[..4], [0x83, 0x01, 0x00, 0x00]);
    }
}
