//! Just enough MIME to read what lettre sends: headers (unfolded, RFC 2047
//! encoded words), `multipart/*`, and base64 or quoted-printable bodies.

use base64::Engine;

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MimeError {
    /// There is no blank line between the headers and the body.
    #[error("the message has no header/body separator")]
    NoBody,
    /// A multipart message without a boundary parameter or without any part.
    #[error("malformed multipart message")]
    BadMultipart,
    /// A base64 body or encoded word does not decode.
    #[error("invalid base64")]
    BadBase64,
    /// A quoted-printable body or encoded word does not decode.
    #[error("invalid quoted-printable")]
    BadQuotedPrintable,
    /// The decoded text is not UTF-8.
    #[error("the text is not UTF-8")]
    NotUtf8,
    /// A multipart message has no `text/plain` part.
    #[error("the message has no text/plain part")]
    NoTextPart,
}

/// A message or body part split into unfolded headers and a raw body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// Header names and values in order, continuation lines joined.
    pub headers: Vec<(String, String)>,
    /// The body as transferred.
    pub body: &'a str,
}

impl<'a> Part<'a> {
    /// Splits at the first blank line (CRLF or LF line ends).
    pub fn parse(text: &'a str) -> Result<Part<'a>, MimeError> {
        let (head, body) = split_once_any(text, &["\r\n\r\n", "\n\n"]).ok_or(MimeError::NoBody)?;
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_string(), value.trim().to_string()));
            }
        }
        Ok(Part { headers, body })
    }

    /// The first header with this name (case-insensitive), unfolded but not decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's text: the first `text/plain` part, transfer-decoded, line ends as `\n`.
    pub fn text(&self) -> Result<String, MimeError> {
        self.body_of("text/plain")
    }

    /// The first part of media type `wanted` (`text/plain`, `text/html`), transfer-decoded.
    pub fn body_of(&self, wanted: &str) -> Result<String, MimeError> {
        let content_type = self.header("Content-Type").unwrap_or("text/plain");
        let (media_type, params) = parse_content_type(content_type);
        if media_type.starts_with("multipart/") {
            let boundary = params
                .iter()
                .find(|(k, _)| k == "boundary")
                .map(|(_, v)| v.clone())
                .ok_or(MimeError::BadMultipart)?;
            let parts = split_multipart(self.body, &boundary)?;
            let mut first_error = MimeError::NoTextPart;
            for part in parts {
                let part = Part::parse(part)?;
                let (kind, _) =
                    parse_content_type(part.header("Content-Type").unwrap_or("text/plain"));
                if kind == wanted || kind.starts_with("multipart/") {
                    match part.body_of(wanted) {
                        Ok(text) => return Ok(text),
                        Err(error) => first_error = error,
                    }
                }
            }
            return Err(first_error);
        }
        if media_type != wanted {
            return Err(MimeError::NoTextPart);
        }
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => decode_base64(self.body)?,
            "quoted-printable" => decode_quoted_printable(self.body)?,
            _ => self.body.as_bytes().to_vec(),
        };
        let text = String::from_utf8(bytes).map_err(|_| MimeError::NotUtf8)?;
        Ok(text.replace("\r\n", "\n"))
    }
}

/// Decodes base64, ignoring line breaks and other whitespace.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, MimeError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| MimeError::BadBase64)
}

/// Decodes quoted-printable (RFC 2045 6.7): `=XX` bytes and `=` soft line breaks.
pub fn decode_quoted_printable(text: &str) -> Result<Vec<u8>, MimeError> {
    let mut out = Vec::with_capacity(text.len());
    let lines: Vec<&str> = text.split('\n').collect();
    for (index, raw_line) in lines.iter().enumerate() {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        // Trailing whitespace was added in transport (RFC 2045 rule 3).
        let line = line.trim_end_matches([' ', '\t']);
        let (content, soft_break) = match line.strip_suffix('=') {
            Some(content) => (content, true),
            None => (line, false),
        };
        let bytes = content.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .ok_or(MimeError::BadQuotedPrintable)?;
                let hex = std::str::from_utf8(hex).map_err(|_| MimeError::BadQuotedPrintable)?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| MimeError::BadQuotedPrintable)?);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        if !soft_break && index + 1 < lines.len() {
            out.extend_from_slice(b"\r\n");
        }
    }
    Ok(out)
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`) in a header value.
pub fn decode_header_value(value: &str) -> Result<String, MimeError> {
    let mut out = String::new();
    let mut rest = value;
    let mut previous_was_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        // Whitespace between two encoded words is not part of the text.
        if !(previous_was_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        let word = &rest[start + 2..];
        let mut fields = word.splitn(3, '?');
        let (Some(_charset), Some(encoding), Some(tail)) =
            (fields.next(), fields.next(), fields.next())
        else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let Some(end) = tail.find("?=") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let encoded = &tail[..end];
        let bytes = match encoding {
            "b" | "B" => decode_base64(encoded)?,
            "q" | "Q" => decode_quoted_printable(&encoded.replace('_', " "))?,
            _ => return Err(MimeError::BadQuotedPrintable),
        };
        out.push_str(&String::from_utf8(bytes).map_err(|_| MimeError::NotUtf8)?);
        rest = &tail[end + 2..];
        previous_was_word = true;
    }
    out.push_str(rest);
    Ok(out)
}

/// `text/plain; charset=utf-8` -> (`text/plain`, [(`charset`, `utf-8`)]), names lowercased.
fn parse_content_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = value.split(';');
    let media_type = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
    let params = pieces
        .filter_map(|piece| piece.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            )
        })
        .collect();
    (media_type, params)
}

/// The parts between `--boundary` lines, up to `--boundary--`.
fn split_multipart<'a>(body: &'a str, boundary: &str) -> Result<Vec<&'a str>, MimeError> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == delimiter || trimmed == format!("{delimiter}--") {
            if let Some(start) = current {
                // The line break before a delimiter belongs to the delimiter.
                let part = &body[start..offset];
                let part = part.strip_suffix('\n').unwrap_or(part);
                parts.push(part.strip_suffix('\r').unwrap_or(part));
            }
            if trimmed.ends_with("--") && trimmed != delimiter {
                return Ok(parts);
            }
            current = Some(offset + line.len());
        }
        offset += line.len();
    }
    if parts.is_empty() {
        Err(MimeError::BadMultipart)
    } else {
        Ok(parts)
    }
}

fn split_once_any<'a>(text: &'a str, separators: &[&str]) -> Option<(&'a str, &'a str)> {
    separators
        .iter()
        .filter_map(|sep| text.find(sep).map(|at| (at, sep.len())))
        .min_by_key(|&(at, _)| at)
        .map(|(at, len)| (&text[..at], &text[at + len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_soft_breaks_and_bytes() {
        let decoded = decode_quoted_printable("caf=C3=A9 =\r\nau lait=3D1\r\nnext").unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "café au lait=1\r\nnext"
        );
        assert_eq!(
            decode_quoted_printable("bad=Z1"),
            Err(MimeError::BadQuotedPrintable)
        );
        assert_eq!(
            decode_quoted_printable("cut=4"),
            Err(MimeError::BadQuotedPrintable)
        );
    }

    #[test]
    fn encoded_words_in_headers() {
        assert_eq!(
            decode_header_value("=?utf-8?b?5ZWf5YuV?= =?utf-8?q?_notice?=").unwrap(),
            "啟動 notice"
        );
        assert_eq!(
            decode_header_value("plain subject").unwrap(),
            "plain subject"
        );
    }

    #[test]
    fn multipart_picks_the_text_part() {
        let message = "Content-Type: multipart/alternative; boundary=\"XX\"\r\n\r\n\
            preamble\r\n--XX\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n\
            --XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
            5ZWf5YuV\r\n--XX--\r\n";
        assert_eq!(Part::parse(message).unwrap().text().unwrap(), "啟動");
        let broken = "Content-Type: multipart/mixed\r\n\r\nbody";
        assert_eq!(
            Part::parse(broken).unwrap().text(),
            Err(MimeError::BadMultipart)
        );
    }

    #[test]
    fn folded_headers_are_joined() {
        let part = Part::parse("Subject: one\r\n two\r\nX-A: b\r\n\r\nbody").unwrap();
        assert_eq!(part.header("subject"), Some("one two"));
        assert_eq!(part.header("x-a"), Some("b"));
        assert_eq!(part.text().unwrap(), "body");
        assert_eq!(Part::parse("Subject: no body"), Err(MimeError::NoBody));
    }
}
