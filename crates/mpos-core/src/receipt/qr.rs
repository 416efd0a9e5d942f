//! The receipt URL as a QR code: a plain module matrix that any shell can
//! draw, plus an SVG and a terminal rendering for the desktop demo.

use qrcode::{Color, EcLevel, QrCode};
use serde::{Deserialize, Serialize};

/// Modules of light margin around the code (the standard asks for 4).
const QUIET_ZONE: u32 = 4;

/// A QR code as rows of modules; `dark[y * width + x]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QrMatrix {
    /// Modules per side (21 for version 1, +4 per version), without margin.
    pub width: u32,
    /// Row-major, `width * width` entries; `true` is dark.
    pub dark: Vec<bool>,
}

/// Why a text could not become a QR code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the text does not fit in a QR code: {0}")]
pub struct QrEncodeError(String);

impl QrMatrix {
    /// Encodes text at error-correction level M (15%), enough for a
    /// screen that may be scratched or dim.
    pub fn encode(text: &str) -> Result<QrMatrix, QrEncodeError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|e| QrEncodeError(e.to_string()))?;
        let width = u32::try_from(code.width()).map_err(|e| QrEncodeError(e.to_string()))?;
        let dark = code
            .to_colors()
            .into_iter()
            .map(|color| color == Color::Dark)
            .collect();
        Ok(QrMatrix { width, dark })
    }

    /// An empty matrix (nothing to show).
    pub fn empty() -> QrMatrix {
        QrMatrix {
            width: 0,
            dark: Vec::new(),
        }
    }

    /// Whether the module at column `x`, row `y` is dark; outside is light.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.width && self.dark[(y * self.width + x) as usize]
    }

    /// An SVG document, one unit per module, with the quiet zone.
    pub fn to_svg(&self) -> String {
        let size = self.width + 2 * QUIET_ZONE;
        let mut path = String::new();
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE));
                }
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
        )
    }

    /// Text for a terminal, two module rows per line with half blocks.
    ///
    /// Light modules are drawn with the block characters and dark ones left
    /// blank, so on the usual light-on-dark terminal the code reads dark on
    /// light, as scanners expect. Quiet zone of 2 modules (enough on a screen).
    pub fn to_terminal_text(&self) -> String {
        let margin = 2i64;
        let size = i64::from(self.width);
        let light = |x: i64, y: i64| {
            x < 0 || y < 0 || x >= size || y >= size || !self.is_dark(x as u32, y as u32)
        };
        let mut text = String::new();
        let mut y = -margin;
        while y < size + margin {
            for x in -margin..size + margin {
                let glyph = match (light(x, y), light(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                };
                text.push(glyph);
            }
            text.push('\n');
            y += 2;
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://gateway.example/r/3f9a1c2b7d8e4f60";

    /// The 32 valid format-information words (ISO/IEC 18004 §7.9): 5 data
    /// bits, BCH(15,5) with generator 0x537, masked with 0x5412.
    fn format_words() -> Vec<(u16, u16)> {
        (0u16..32)
            .map(|data| {
                let mut remainder = data << 10;
                for bit in (10..15).rev() {
                    if remainder & (1 << bit) != 0 {
                        remainder ^= 0x537 << (bit - 10);
                    }
                }
                (data, ((data << 10) | remainder) ^ 0x5412)
            })
            .collect()
    }

    fn finder_at(qr: &QrMatrix, left: u32, top: u32) -> bool {
        (0..7).all(|dy| {
            (0..7).all(|dx| {
                let ring = (dx as i32 - 3).abs().max((dy as i32 - 3).abs());
                qr.is_dark(left + dx, top + dy) == (ring != 2)
            })
        })
    }

    #[test]
    fn width_matches_a_qr_version() {
        let qr = QrMatrix::encode(URL).unwrap();
        let version = match QrCode::with_error_correction_level(URL, EcLevel::M)
            .unwrap()
            .version()
        {
            qrcode::Version::Normal(v) => v as u32,
            other => panic!("{other:?}"),
        };
        assert_eq!(qr.width, 17 + 4 * version);
        assert_eq!(qr.dark.len(), (qr.width * qr.width) as usize);
        // 42 bytes at level M need version 3 (capacity 42 bytes).
        assert_eq!(version, 3);
    }

    #[test]
    fn finder_and_timing_patterns_are_in_place() {
        let qr = QrMatrix::encode(URL).unwrap();
        let w = qr.width;
        assert!(finder_at(&qr, 0, 0));
        assert!(finder_at(&qr, w - 7, 0));
        assert!(finder_at(&qr, 0, w - 7));
        assert!(
            !finder_at(&qr, w - 7, w - 7),
            "no finder in the bottom-right corner"
        );
        for i in 8..w - 8 {
            assert_eq!(qr.is_dark(i, 6), i % 2 == 0, "horizontal timing at {i}");
            assert_eq!(qr.is_dark(6, i), i % 2 == 0, "vertical timing at {i}");
        }
        assert!(qr.is_dark(8, w - 8), "the always-dark module");
    }

    #[test]
    fn format_information_decodes_to_level_m() {
        let qr = QrMatrix::encode(URL).unwrap();
        // Top-left copy, most significant bit first.
        let coords = [
            (0, 8),
            (1, 8),
            (2, 8),
            (3, 8),
            (4, 8),
            (5, 8),
            (7, 8),
            (8, 8),
            (8, 7),
            (8, 5),
            (8, 4),
            (8, 3),
            (8, 2),
            (8, 1),
            (8, 0),
        ];
        let word = coords.iter().fold(0u16, |word, &(x, y)| {
            (word << 1) | u16::from(qr.is_dark(x, y))
        });
        let (data, _) = format_words()
            .into_iter()
            .find(|(_, valid)| *valid == word)
            .expect("a valid BCH format word");
        assert_eq!(data >> 3, 0b00, "error-correction level M");
    }

    #[test]
    fn different_urls_give_different_codes() {
        let a = QrMatrix::encode(URL).unwrap();
        let b = QrMatrix::encode("https://gateway.example/r/3f9a1c2b7d8e4f61").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn svg_has_one_square_per_dark_module() {
        let qr = QrMatrix::encode(URL).unwrap();
        let svg = qr.to_svg();
        let dark = qr.dark.iter().filter(|d| **d).count();
        assert_eq!(svg.matches('z').count(), dark);
        let size = qr.width + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")));
        // The top-left module of the finder, shifted by the quiet zone.
        assert!(svg.contains("M4 4h1v1h-1z"));
    }

    #[test]
    fn terminal_text_packs_two_rows_per_line() {
        let qr = QrMatrix::encode(URL).unwrap();
        let text = qr.to_terminal_text();
        let lines: Vec<&str> = text.lines().collect();
        let rows = qr.width + 4;
        assert_eq!(lines.len() as u32, rows.div_ceil(2));
        assert!(lines
            .iter()
            .all(|line| line.chars().count() as u32 == qr.width + 4));
        // The margin is light, the finder's top-left corner dark.
        assert!(lines[0].chars().all(|c| c == '█'));
        let third: Vec<char> = lines[1].chars().collect();
        assert_eq!(
            third[2], ' ',
            "rows 0 and 1 of the finder's left edge are both dark"
        );
    }

    #[test]
    fn empty_matrix_renders_nothing_dark() {
        let empty = QrMatrix::empty();
        assert!(!empty.is_dark(0, 0));
        assert!(!empty.to_svg().contains('z'));
    }
}
