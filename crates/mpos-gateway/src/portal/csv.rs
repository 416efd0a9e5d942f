//! CSV as spreadsheets read it safely (RFC 4180 quoting), with cells that
//! would start a formula neutralized (OWASP "CSV injection"): a user's name
//! such as `=HYPERLINK(...)` is shown as text, never run.

/// One cell: quoted when it holds a comma, quote or line break; prefixed
/// with `'` when it starts like a formula.
pub fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One line of cells, ended by CRLF.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut text = cells
        .iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    text.push_str("\r\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_quoting() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(line(&["1", "x\ny"]), "1,\"x\ny\"\r\n");
    }

    #[test]
    fn formulas_become_text() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(
            cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
    }
}
