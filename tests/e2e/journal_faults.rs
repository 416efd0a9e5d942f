//! The fault suite's phone case: the app killed at every transition of its
//! crash-safe journal during a signed chip sale (the authorization written,
//! the signature owed, nothing owed), then restarted on the same storage.
//! Whatever the cashier is finally shown must match the gateway: charged
//! once or not at all. Prints its figures like `mpos-load`'s fault suite.

use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::{Phone, World, NEW_PASSWORD};
use mpos_wire::api::TxnStatus;
use mpos_wire::Brand;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Every (idempotency key, state) the journal file holds.
fn journal_states(path: &Path) -> HashMap<String, String> {
    fn walk(value: &Value, out: &mut HashMap<String, String>) {
        match value {
            Value::Object(map) => {
                if let (Some(Value::String(key)), Some(state)) =
                    (map.get("idempotency_key"), map.get("state"))
                {
                    if let Some(name) = state["state"].as_str() {
                        out.insert(key.clone(), name.to_string());
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = HashMap::new();
    if let Ok(text) = std::fs::read_to_string(path) {
        if let Ok(json) = serde_json::from_str::<Value>(&text) {
            walk(&json, &mut out);
        }
    }
    out
}

/// Waits until a transaction the journal did not hold before reaches `state`.
async fn wait_for_transition(path: &Path, before: &HashMap<String, String>, state: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = journal_states(path);
        if now
            .iter()
            .any(|(key, s)| s == state && before.get(key).map(String::as_str) != Some(state))
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the journal never reached {state}: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// After the restart: logs in when asked, signs when the signature is owed,
/// and returns whether the cashier was finally shown the sale as charged.
async fn finish(phone: &Phone, username: &str, shown_before: &str) -> bool {
    let settled = |s: &Screen| {
        matches!(
            s,
            Screen::Login { .. }
                | Screen::Signature { .. }
                | Screen::OutcomeUnknown {
                    reversal_acknowledged: true,
                    ..
                }
                | Screen::Home { .. }
        )
    };
    let mut screen = phone.wait_until("the restarted app", settled).await;
    if let Screen::Login { message, .. } = &screen {
        if message.is_none() {
            // Nothing owed: the outcome is what the cashier saw before the kill.
            phone.login(username, NEW_PASSWORD).await;
            return shown_before.contains("Receipt {");
        }
        phone.login(username, NEW_PASSWORD).await;
        screen = phone
            .wait_until("the owed work after login", |s| {
                matches!(
                    s,
                    Screen::Signature { .. }
                        | Screen::OutcomeUnknown {
                            reversal_acknowledged: true,
                            ..
                        }
                )
            })
            .await;
    }
    match screen {
        Screen::Signature { .. } => {
            let receipt = phone.sign().await;
            assert!(matches!(receipt, Screen::Receipt { .. }), "{receipt:?}");
            phone.finish_receipt().await;
            true
        }
        Screen::OutcomeUnknown { .. } => {
            phone.act(UserAction::CancelPayment).await;
            false
        }
        other => panic!("after the restart: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_killed_at_every_journal_transition_charges_once_or_not_at_all() {
    let world = World::start().await;
    let (mut phone, credentials) = world.active_phone(roomy_limits()).await;
    let journal = phone.data_dir().join("journal.json");
    let (mut faults, mut lost, mut doubled) = (0, 0, 0);
    for (n, transition) in ["authorizing", "awaiting_signature", "done"]
        .into_iter()
        .enumerate()
    {
        // NT$4,800-odd on VISA: a signed sale; each amount finds its sale.
        let amount = 4_800 + n as u64;
        let before = journal_states(&journal);
        phone.start_sale(amount, Brand::Visa).await;
        phone.reader().insert(CardId::VisaChipApproved);
        if transition == "done" {
            let screen = phone
                .wait_until("the signature pad", |s| {
                    matches!(s, Screen::Signature { .. })
                })
                .await;
            assert!(matches!(screen, Screen::Signature { .. }));
            phone.remove_card();
            phone.sign().await;
        }
        wait_for_transition(&journal, &before, transition).await;
        let shown_before = phone.screens_seen().join("\n");
        phone.restart().await;
        faults += 1;
        phone.remove_card();
        let told_charged = finish(&phone, &credentials.username, &shown_before).await;
        // Back to the home screen for the next sale.
        let screen = phone.screen();
        if !matches!(screen, Screen::Home { .. }) {
            phone
                .wait_until("home", |s| matches!(s, Screen::Home { .. }))
                .await;
        }

        // The gateway's side, once nothing of this amount is pending (a
        // request the kill stopped before it left leaves nothing at all).
        let deadline = Instant::now() + Duration::from_secs(15);
        let sales = loop {
            let sales: Vec<_> = world
                .transactions()
                .await
                .into_iter()
                .filter(|t| t.amount == dollars(amount))
                .collect();
            if sales.iter().all(|t| t.status != TxnStatus::Pending) || Instant::now() > deadline {
                break sales;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let charges = sales
            .iter()
            .filter(|t| t.status == TxnStatus::Approved)
            .count();
        let charged = charges > 0;
        doubled += charges.saturating_sub(1);
        if charged != told_charged {
            lost += 1;
        }
        let states: Vec<_> = sales.iter().map(|t| t.status).collect();
        println!(
            "  killed at {transition}: gateway {states:?}, cashier told charged: {told_charged}"
        );
    }
    println!(
        "fault case app_killed_at_every_journal_transition: faults injected {faults}, charges lost {lost}, charges doubled {doubled}"
    );
    assert_eq!((lost, doubled), (0, 0));
}
