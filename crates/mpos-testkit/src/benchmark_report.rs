//! `docs/benchmarks.md` is written by several benchmarks: each owns the
//! section between its `<!-- NAME:begin -->` and `<!-- NAME:end -->`
//! markers and leaves every other section as it is.

use std::path::Path;

/// Puts `section` between the markers of `name` in the report at `path`
/// (a new report gets a title first; a missing section goes at the end).
pub fn write_section(path: &Path, name: &str, section: &str) -> std::io::Result<()> {
    let begin = format!("<!-- {name}:begin -->");
    let end = format!("<!-- {name}:end -->");
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "# Benchmarks\n".to_string(),
        Err(error) => return Err(error),
    };
    let block = format!("{begin}\n{section}{end}");
    let updated = match (existing.find(&begin), existing.find(&end)) {
        (Some(start), Some(stop)) if start < stop => {
            format!(
                "{}{block}{}",
                &existing[..start],
                &existing[stop + end.len()..]
            )
        }
        _ => format!("{}\n\n{block}\n", existing.trim_end()),
    };
    std::fs::write(path, updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_replaced_in_place_and_others_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("benchmarks.md");
        write_section(&path, "a", "first\n").unwrap();
        write_section(&path, "b", "other\n").unwrap();
        write_section(&path, "a", "second\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Benchmarks\n"));
        assert!(
            text.contains("<!-- a:begin -->\nsecond\n<!-- a:end -->"),
            "{text}"
        );
        assert!(!text.contains("first"));
        assert!(text.find("a:begin") < text.find("b:begin"), "{text}");
    }
}
