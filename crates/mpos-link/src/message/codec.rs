//! Byte cursor and writer used by every message's encode and decode.

use super::MessageError;

/// Reads fields from a payload; every read checks the remaining length.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes }
    }

    pub(crate) fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], MessageError> {
        if self.bytes.len() < n {
            return Err(MessageError::Truncated { field });
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, MessageError> {
        Ok(self.take(1, field)?[0])
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, MessageError> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, MessageError> {
        let b = self.take(8, field)?;
        let mut raw = [0u8; 8];
        raw.copy_from_slice(b);
        Ok(u64::from_be_bytes(raw))
    }

    /// A field preceded by a one-byte length, which must lie in `lengths`.
    pub(crate) fn short_bytes(
        &mut self,
        lengths: std::ops::RangeInclusive<usize>,
        field: &'static str,
    ) -> Result<&'a [u8], MessageError> {
        let len = usize::from(self.u8(field)?);
        if !lengths.contains(&len) {
            return Err(MessageError::InvalidField { field });
        }
        self.take(len, field)
    }

    /// A field preceded by a two-byte big-endian length, which must lie in `lengths`.
    pub(crate) fn long_bytes(
        &mut self,
        lengths: std::ops::RangeInclusive<usize>,
        field: &'static str,
    ) -> Result<&'a [u8], MessageError> {
        let len = usize::from(self.u16(field)?);
        if !lengths.contains(&len) {
            return Err(MessageError::InvalidField { field });
        }
        self.take(len, field)
    }

    /// Printable ASCII (0x20..=0x7E) with a one-byte length.
    pub(crate) fn text(
        &mut self,
        lengths: std::ops::RangeInclusive<usize>,
        field: &'static str,
    ) -> Result<String, MessageError> {
        let bytes = self.short_bytes(lengths, field)?;
        if !bytes.iter().all(|b| (0x20..=0x7E).contains(b)) {
            return Err(MessageError::InvalidField { field });
        }
        Ok(bytes.iter().map(|&b| char::from(b)).collect())
    }

    /// Everything not read yet.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.bytes)
    }

    /// Every byte must have been read.
    pub(crate) fn finish(self) -> Result<(), MessageError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(MessageError::TrailingBytes(self.bytes.len()))
        }
    }
}

/// Appends a one-byte length and the bytes, checking the allowed lengths.
pub(crate) fn put_short(
    out: &mut Vec<u8>,
    bytes: &[u8],
    lengths: std::ops::RangeInclusive<usize>,
    field: &'static str,
) -> Result<(), MessageError> {
    if !lengths.contains(&bytes.len()) || bytes.len() > 255 {
        return Err(MessageError::InvalidField { field });
    }
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
    Ok(())
}

/// Appends a two-byte big-endian length and the bytes, checking the allowed lengths.
pub(crate) fn put_long(
    out: &mut Vec<u8>,
    bytes: &[u8],
    lengths: std::ops::RangeInclusive<usize>,
    field: &'static str,
) -> Result<(), MessageError> {
    if !lengths.contains(&bytes.len()) || bytes.len() > usize::from(u16::MAX) {
        return Err(MessageError::InvalidField { field });
    }
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// Appends printable ASCII with a one-byte length.
pub(crate) fn put_text(
    out: &mut Vec<u8>,
    text: &str,
    lengths: std::ops::RangeInclusive<usize>,
    field: &'static str,
) -> Result<(), MessageError> {
    if !text.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(MessageError::InvalidField { field });
    }
    put_short(out, text.as_bytes(), lengths, field)
}
