//! `docs/test-cards.md` is generated from the catalogue; this test keeps them equal.
//! Regenerate with `UPDATE_DOCS=1 cargo test -p mpos-cards --test docs_in_sync`.

const HEADER: &str = "# Test cards\n\n\
Published test card numbers only. The virtual reader (`mpos-sim`) reads\n\
these cards, the gateway's issuer simulator answers as the table says, and the\n\
tests pick them by name (`mpos_cards::CardId`). Generated from\n\
`crates/mpos-cards/src/lib.rs` by `crates/mpos-cards/tests/docs_in_sync.rs`.\n\n\
The expired card is declined 54 because its expiry date (`YYMM`) is before the\n\
gateway clock's month in Asia/Taipei. The slow issuer waits for the gateway's\n\
`issuer.slow_delay_ms` before approving, so that a phone with a shorter\n\
request timeout sends a reversal. JCB needs no signature in the test\n\
configuration; every other brand signs above NT$3,000 (UnionPay always).\n\
UnionPay asks the cardholder's PIN: the issuer simulator checks the PIN\n\
column, answers 55 to a wrong PIN and 75 to the third wrong PIN in a row,\n\
after which the card's PIN stays blocked until the gateway restarts.\n\n";

#[test]
fn test_cards_doc_matches_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/test-cards.md");
    let expected = format!("{HEADER}{}", mpos_cards::markdown_table());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &expected).expect("write docs/test-cards.md");
    }
    let actual = std::fs::read_to_string(path).expect("docs/test-cards.md exists");
    assert_eq!(
        actual, expected,
        "docs/test-cards.md is stale: rerun with UPDATE_DOCS=1"
    );
}
