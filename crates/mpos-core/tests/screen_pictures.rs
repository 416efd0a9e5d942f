//! `docs/screens.md` shows every screen in both languages: each screen has
//! its two pictures in `docs/screens/` (drawn by `android/test.sh`), and
//! the page links both.

use mpos_core::view::ScreenId;
use std::path::Path;

/// `NewPassword` as the pictures name it: `new_password`.
fn file_stem(screen: ScreenId) -> String {
    let mut stem = String::new();
    for (i, c) in format!("{screen:?}").chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            stem.push('_');
        }
        stem.push(c.to_ascii_lowercase());
    }
    stem
}

#[test]
fn every_screen_has_its_two_pictures_and_the_page_links_them() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let page = std::fs::read_to_string(docs.join("screens.md")).expect("docs/screens.md");
    let mut missing = Vec::new();
    for screen in ScreenId::ALL {
        for locale in ["zh-TW", "en"] {
            let name = format!("screens/{}.{locale}.png", file_stem(screen));
            let picture = docs.join(&name);
            let drawn = std::fs::metadata(&picture).is_ok_and(|m| m.len() > 1_000);
            if !drawn || !page.contains(&name) {
                missing.push(name);
            }
        }
    }
    assert!(missing.is_empty(), "not drawn or not linked: {missing:?}");
    assert_eq!(file_stem(ScreenId::NewPassword), "new_password");
}
