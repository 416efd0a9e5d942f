//! `mpos demo`: a merchant's day, end to end, as the users would live it.
//!
//! The administrator creates a phone user; the cashier logs in for the first
//! time with the activation code and sets a password; then rings up a chip
//! sale with a signature and a small sale without one, a sale whose chip
//! cannot be read (swiped after three tries), and a sale whose chip declines
//! the issuer's approval (reversed at once); refunds with the original
//! authorization code, voids a sale, searches by the card's last 4 digits;
//! the counter phone settles; and a void of the now-settled sale is refused.
//! Then two UnionPay sales with the cardholder's PIN typed on the reader's
//! shuffled keypad: one right first time, one wrong (55) then right.
//! Every step checks what the product requires.
//!
//! Each phone's reader is a device on the far end of its headset jack: the
//! app and the reader exchange audio samples only (`crate::phone`).

mod report;

pub use report::{Output, Report};

use crate::environment::Environment;
use crate::phone::Phone;
use mpos_cards::CardId;
use mpos_core::view::Locale;
use mpos_core::{CardPrompt, CheckStatus, Screen, UserAction};
use mpos_wire::api::{
    CreateUserRequest, Limits, Point, ReceiptDestination, TransactionSearch, TransactionSummary,
    TxnKind, TxnStatus, UserStatus,
};
use mpos_wire::{Brand, EntryMode, Money};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Why the demo could not go on.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A part of the environment did not start.
    #[error("setting up: {0}")]
    Setup(String),
    /// The gateway's admin API failed.
    #[error("gateway: {0}")]
    Gateway(String),
    /// An e-mail or SMS did not arrive.
    #[error("delivery: {0}")]
    Delivery(String),
    /// The app did not reach the expected screen.
    #[error("waiting for {waiting_for}, the app still shows {screen}")]
    Stuck {
        /// What the demo waited for.
        waiting_for: String,
        /// What the app showed instead.
        screen: String,
    },
    /// The app showed something the product does not allow.
    #[error("unexpected: {0}")]
    Unexpected(String),
    /// A step failed; the rest depend on it.
    #[error("step {0} failed")]
    StepFailed(&'static str),
}

const CASHIER_EMAIL: &str = "cashier@shop.example.tw";
const CASHIER_PHONE: &str = "0912345678";
const NEW_PASSWORD: &str = "246810";
const CUSTOMER_EMAIL: &str = "customer@example.tw";
const CUSTOMER_PHONE: &str = "0987654321";

/// Plays the day; `Ok(true)` when every step behaved as the product requires.
pub async fn run(output: Output, locale: Locale) -> Result<bool, DemoError> {
    let report = Arc::new(Report::new(output, locale));
    let environment = Environment::start().await?;
    let mut day = Day {
        environment,
        report: report.clone(),
        account: String::new(),
        default_password: String::new(),
        activation_code: String::new(),
        cashier: None,
        sale: None,
        small_sale: None,
        fallback_sale: None,
    };
    let outcome = day.play().await;
    day.environment.gateway.shutdown().await;
    match outcome {
        Ok(()) => Ok(report.failures().is_empty()),
        Err(DemoError::StepFailed(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

struct Day {
    environment: Environment,
    report: Arc<Report>,
    account: String,
    default_password: String,
    activation_code: String,
    cashier: Option<Phone>,
    sale: Option<TransactionSummary>,
    small_sale: Option<TransactionSummary>,
    fallback_sale: Option<TransactionSummary>,
}

type Facts = Map<String, Value>;

fn facts(value: Value) -> Facts {
    match value {
        Value::Object(map) => map,
        _ => Facts::new(),
    }
}

fn ensure(condition: bool, what: impl Into<String>) -> Result<(), DemoError> {
    if condition {
        Ok(())
    } else {
        Err(DemoError::Unexpected(what.into()))
    }
}

fn message_code(screen: &Screen) -> Option<String> {
    let message = match screen {
        Screen::Login { message, .. }
        | Screen::Activation { message }
        | Screen::NewPassword { message }
        | Screen::Home { message, .. }
        | Screen::Amount { message, .. }
        | Screen::RefundAuthCode { message, .. }
        | Screen::PresentCard { message, .. }
        | Screen::OutcomeUnknown { message, .. }
        | Screen::TransactionDetail { message, .. }
        | Screen::TransactionSearch { message, .. } => message,
        _ => return None,
    };
    message.as_ref().map(|m| m.code.clone())
}

/// A payment's end: a result screen of any kind.
fn payment_finished(screen: &Screen) -> bool {
    matches!(
        screen,
        Screen::Signature { .. }
            | Screen::Receipt { .. }
            | Screen::Declined { .. }
            | Screen::OutcomeUnknown { .. }
    )
}

/// The PIN entry screen with the reader's keypad, ready for keys.
fn keypad_shown(screen: &Screen) -> bool {
    matches!(
        screen,
        Screen::PinEntry {
            keypad: Some(_),
            sent: false,
            ..
        }
    )
}

/// A signature in two strokes on the 0..=1000 pad.
fn signature_strokes() -> Vec<Vec<Point>> {
    let wave = (0..=40u16)
        .map(|i| Point {
            x: 100 + i * 15,
            y: 500
                + if i % 8 < 4 {
                    (i % 4) * 40
                } else {
                    (4 - i % 4) * 40
                },
        })
        .collect();
    let underline = (0..=20u16)
        .map(|i| Point {
            x: 150 + i * 30,
            y: 800,
        })
        .collect();
    vec![wave, underline]
}

impl Day {
    async fn play(&mut self) -> Result<(), DemoError> {
        self.report.begin(
            "create_user",
            "the administrator adds a phone user in the merchant portal",
        );
        let result = self.create_user().await;
        self.finish("create_user", result)?;
        self.report.begin(
            "first_login",
            "reader plugged in, account and default password",
        );
        let result = self.first_login().await;
        self.finish("first_login", result)?;
        self.report.begin("activate", "the SMS activation code");
        let result = self.activate().await;
        self.finish("activate", result)?;
        self.report
            .begin("change_password", "a new password of exactly 6 digits");
        let result = self.change_password().await;
        self.finish("change_password", result)?;
        self.report.begin(
            "login",
            "log out, log in again with the new password, the pre-shift check from home",
        );
        let result = self.login().await;
        self.finish("login", result)?;
        self.report.begin(
            "sale",
            "NT$4,800 VISA chip sale, signature, e-receipt by e-mail",
        );
        let result = self.sale().await;
        self.finish("sale", result)?;
        self.report.begin(
            "sale_no_signature",
            "NT$250 Mastercard chip sale, no signature, e-receipt by SMS",
        );
        let result = self.sale_no_signature().await;
        self.finish("sale_no_signature", result)?;
        self.report.begin(
            "chip_fallback_swipe",
            "NT$300 VISA: a swipe refused for the chip, the chip unreadable 3 times, then swiped",
        );
        let result = self.chip_fallback_swipe().await;
        self.finish("chip_fallback_swipe", result)?;
        self.report.begin(
            "chip_declined_after_approval_reversed",
            "NT$800 VISA: the issuer approves, the chip declines (AAC), the phone reverses",
        );
        let result = self.chip_declined_after_approval_reversed().await;
        self.finish("chip_declined_after_approval_reversed", result)?;
        self.report.begin(
            "refund",
            "NT$1,000 refund with the original authorization code, swipe only",
        );
        let result = self.refund().await;
        self.finish("refund", result)?;
        self.report.begin(
            "void",
            "a NT$120 JCB sale, found by its authorization code and voided",
        );
        let result = self.void().await;
        self.finish("void", result)?;
        self.report.begin(
            "query",
            "search unsettled transactions by the card's last 4 digits",
        );
        let result = self.query().await;
        self.finish("query", result)?;
        self.report.begin(
            "settle",
            "the counter phone settles while the cashier keeps the sale details open",
        );
        let result = self.settle().await;
        self.finish("settle", result)?;
        self.report.begin(
            "void_after_settle_refused",
            "the cashier presses Void now on the settled sale",
        );
        let result = self.void_after_settle_refused().await;
        self.finish("void_after_settle_refused", result)?;
        self.report.begin(
            "pin_sale",
            "NT$1,200 UnionPay chip sale: the cardholder types the PIN on the reader's shuffled keypad",
        );
        let result = self.pin_sale().await;
        self.finish("pin_sale", result)?;
        self.report.begin(
            "pin_wrong_then_right",
            "NT$600 UnionPay: a wrong PIN is declined 55, the card is read again, the right PIN is approved",
        );
        let result = self.pin_wrong_then_right().await;
        self.finish("pin_wrong_then_right", result)?;
        Ok(())
    }

    /// The cardholder types `pin` on the keypad the reader sent: each digit
    /// becomes the position of its key, then Confirm. Returns the layout.
    async fn type_pin(&self, pin: &str) -> Result<[u8; 10], DemoError> {
        let phone = self.cashier();
        let screen = phone
            .wait_until("the reader's keypad", keypad_shown)
            .await?;
        let Screen::PinEntry {
            keypad: Some(keypad),
            ..
        } = screen
        else {
            return Err(DemoError::Unexpected("no keypad".into()));
        };
        for digit in pin.bytes().map(|b| b - b'0') {
            let key = keypad
                .digits
                .iter()
                .position(|&shown| shown == digit)
                .and_then(|key| u8::try_from(key).ok())
                .ok_or_else(|| DemoError::Unexpected("a digit missing from the keypad".into()))?;
            phone.act(UserAction::PinKey { key }).await;
        }
        let screen = phone.act(UserAction::ConfirmPin).await;
        ensure(
            matches!(
                &screen,
                Screen::PinEntry {
                    entered: 0,
                    sent: true,
                    ..
                } | Screen::Authorizing { .. }
                    | Screen::Signature { .. }
                    | Screen::WrongPin { .. }
            ),
            format!("the PIN goes to the reader, the app shows {screen:?}"),
        )?;
        Ok(keypad.digits)
    }

    /// The cardholder signs on the pad and confirms: the e-receipt follows.
    async fn sign(&self) -> Result<(), DemoError> {
        let phone = self.cashier();
        for points in signature_strokes() {
            phone.act(UserAction::AddSignatureStroke { points }).await;
        }
        let screen = phone.act(UserAction::ConfirmSignature).await;
        ensure(
            matches!(screen, Screen::Receipt { .. }),
            "the signature leads to the e-receipt",
        )
    }

    /// Signs, sends nothing, and returns home with the card out.
    async fn sign_and_finish(&self) -> Result<(), DemoError> {
        let phone = self.cashier();
        self.sign().await?;
        phone.remove_card();
        let screen = phone.act(UserAction::FinishReceipt).await;
        ensure(
            matches!(screen, Screen::Home { .. }),
            "finishing the receipt returns home",
        )
    }

    /// Back to the home screen from wherever the last step left the cashier.
    async fn go_home(&self) -> Result<(), DemoError> {
        let phone = self.cashier();
        for _ in 0..5 {
            if matches!(phone.act(UserAction::Back).await, Screen::Home { .. }) {
                return Ok(());
            }
        }
        Err(DemoError::Unexpected("Back does not lead home".into()))
    }

    /// Inserts `card` and waits for the PIN pad.
    async fn insert_for_pin(&self, card: CardId) -> Result<(), DemoError> {
        let phone = self.cashier();
        phone
            .insert(card, "the PIN pad", |s| {
                matches!(s, Screen::PinEntry { .. })
            })
            .await?;
        Ok(())
    }

    /// The card is in: the cardholder types its right PIN, the sale is
    /// approved and signed, home again. Returns the sale and the keypad.
    async fn approved_with_pin(
        &self,
        card: &mpos_cards::TestCard,
    ) -> Result<(TransactionSummary, [u8; 10]), DemoError> {
        let keypad = self.type_pin(card.pin).await?;
        let screen = self
            .cashier()
            .wait_until("the authorization", payment_finished)
            .await?;
        let Screen::Signature { transaction, .. } = screen else {
            return Err(DemoError::Unexpected(format!(
                "UnionPay signs every sale, got {screen:?}"
            )));
        };
        ensure(
            transaction.status == TxnStatus::Approved,
            "the right PIN is approved",
        )?;
        self.sign_and_finish().await?;
        Ok((transaction, keypad))
    }

    async fn pin_sale(&mut self) -> Result<Facts, DemoError> {
        let card = mpos_cards::TestCard::get(CardId::UnionPayApproved);
        self.go_home().await?;
        self.ring_up(1_200, Brand::UnionPay).await?;
        self.insert_for_pin(card.id).await?;
        let (transaction, _) = self.approved_with_pin(card).await?;
        Ok(facts(json!({
            "transaction_id": transaction.id,
            "amount": transaction.amount,
            "brand": transaction.brand,
            "masked_pan": transaction.masked_pan,
            "auth_code": transaction.auth_code,
            "pin_digits": card.pin.len(),
            "status": transaction.status,
        })))
    }

    async fn pin_wrong_then_right(&mut self) -> Result<Facts, DemoError> {
        let card = mpos_cards::TestCard::get(CardId::UnionPayDebitApproved);
        self.ring_up(600, Brand::UnionPay).await?;
        let phone = self.cashier();
        self.insert_for_pin(card.id).await?;
        // Not the card's PIN: every digit moved by one.
        let wrong: String = card
            .pin
            .bytes()
            .map(|b| char::from(b'0' + (b - b'0' + 1) % 10))
            .collect();
        let first_keypad = self.type_pin(&wrong).await?;
        let screen = phone
            .wait_until("the issuer's answer", |s| {
                matches!(s, Screen::WrongPin { .. }) || payment_finished(s)
            })
            .await?;
        let Screen::WrongPin {
            message,
            response_code,
            ..
        } = &screen
        else {
            return Err(DemoError::Unexpected(format!(
                "a wrong PIN must say so, got {screen:?}"
            )));
        };
        let wrong_with = message.as_ref().map(|m| m.code.clone());
        let first_try = response_code.clone();
        ensure(
            wrong_with.as_deref() == Some("wrong_pin"),
            "the wrong PIN says what to do",
        )?;
        // Another try reads the card again: out, "Enter the PIN again", in.
        phone.remove_card();
        let screen = phone.act(UserAction::RetryPin).await;
        ensure(
            matches!(screen, Screen::PresentCard { .. }),
            "another try asks for the card again",
        )?;
        self.insert_for_pin(card.id).await?;
        let (transaction, second_keypad) = self.approved_with_pin(card).await?;
        Ok(facts(json!({
            "transaction_id": transaction.id,
            "amount": transaction.amount,
            "masked_pan": transaction.masked_pan,
            "first_try": first_try,
            "wrong_pin_message": wrong_with,
            "new_keypad_for_second_try": first_keypad != second_keypad,
            "status": transaction.status,
        })))
    }

    fn finish(
        &self,
        step: &'static str,
        result: Result<Facts, DemoError>,
    ) -> Result<(), DemoError> {
        match result {
            Ok(facts) => {
                self.report.step(step, true, facts);
                Ok(())
            }
            Err(error) => {
                self.report
                    .step(step, false, facts(json!({ "error": error.to_string() })));
                Err(DemoError::StepFailed(step))
            }
        }
    }

    fn cashier(&self) -> &Phone {
        self.cashier
            .as_ref()
            .expect("the cashier's phone exists after first_login")
    }

    /// A phone with its reader, starting from the link profile the cashier's
    /// phone learned (same model), as the app stores it per phone model.
    fn new_phone(&self, label: &'static str, reader_device_id: u32) -> Result<Phone, DemoError> {
        let gateway = &self.environment.gateway;
        let profile = self.cashier.as_ref().and_then(Phone::link_profile);
        Phone::new(
            label,
            gateway.base_url(),
            gateway.cert_pem.clone(),
            gateway.spki_sha256_hex.clone(),
            reader_device_id,
            profile,
            self.report.clone(),
        )
    }

    async fn create_user(&mut self) -> Result<Facts, DemoError> {
        let user = self
            .environment
            .create_user(&CreateUserRequest {
                name: "林小美 Lin Hsiao-mei".into(),
                phone: CASHIER_PHONE.into(),
                email: CASHIER_EMAIL.into(),
                username: None,
                limits: Limits {
                    per_transaction: Money::twd_minor(5_000_000),
                    per_day: Money::twd_minor(20_000_000),
                    refund_per_transaction: Some(Money::twd_minor(2_000_000)),
                },
            })
            .await?;
        let (account, default_password) = self.environment.activation_mail(CASHIER_EMAIL).await?;
        let activation_code = self.environment.activation_sms(CASHIER_PHONE).await?;
        ensure(
            user.status == UserStatus::PendingActivation,
            "a new user waits for activation",
        )?;
        ensure(
            account == user.username,
            "the e-mail names the account created",
        )?;
        ensure(
            activation_code.len() == 6,
            "the activation code has 6 digits",
        )?;
        self.account = account;
        self.default_password = default_password;
        self.activation_code = activation_code;
        Ok(facts(json!({
            "username": user.username,
            "terminal_id": user.terminal_id,
            "status": user.status,
            "activation_email": true,
            "activation_sms": true,
        })))
    }

    async fn first_login(&mut self) -> Result<Facts, DemoError> {
        let phone = self.new_phone("cashier phone", 0x0000_0001)?;
        // The reader must be plugged in to log in.
        let refused = phone
            .act(UserAction::Login {
                username: self.account.clone(),
                password: self.default_password.clone(),
            })
            .await;
        ensure(
            matches!(
                refused,
                Screen::Login {
                    reader_connected: false,
                    ..
                }
            ) && message_code(&refused).is_some(),
            "login without a reader is refused with a message",
        )?;
        phone.plug_in_reader().await?;
        let profile = phone
            .link_profile()
            .ok_or_else(|| DemoError::Unexpected("the reader link was auto-configured".into()))?;
        let screen = phone
            .act(UserAction::Login {
                username: self.account.clone(),
                password: self.default_password.clone(),
            })
            .await;
        self.cashier = Some(phone);
        ensure(
            matches!(screen, Screen::Activation { .. }),
            "the default password leads to the activation code",
        )?;
        Ok(facts(json!({
            "refused_without_reader": true,
            "reader_link": {
                "uplink_bps": profile.settings.rate.bits_per_second(),
                "uplink_level": profile.settings.level.0,
                "eye_snr_db": (f64::from(profile.eye_snr_db) * 10.0).round() / 10.0,
            },
            "next": "activation",
        })))
    }

    async fn activate(&mut self) -> Result<Facts, DemoError> {
        let screen = self
            .cashier()
            .act(UserAction::SubmitActivationCode {
                code: self.activation_code.clone(),
            })
            .await;
        ensure(
            matches!(screen, Screen::NewPassword { .. }),
            "the activation code leads to the new password",
        )?;
        Ok(facts(json!({ "next": "new_password" })))
    }

    async fn change_password(&mut self) -> Result<Facts, DemoError> {
        let phone = self.cashier();
        let short = phone
            .act(UserAction::SetNewPassword {
                password: "24681".into(),
                confirmation: "24681".into(),
            })
            .await;
        ensure(
            matches!(short, Screen::NewPassword { message: Some(_) }),
            "a 5-digit password is refused",
        )?;
        let screen = phone
            .act(UserAction::SetNewPassword {
                password: NEW_PASSWORD.into(),
                confirmation: NEW_PASSWORD.into(),
            })
            .await;
        ensure(
            matches!(screen, Screen::Home { .. }),
            "a 6-digit password completes the first login",
        )?;
        Ok(facts(
            json!({ "five_digits_refused": true, "next": "home" }),
        ))
    }

    async fn login(&mut self) -> Result<Facts, DemoError> {
        let phone = self.cashier();
        let screen = phone.act(UserAction::Logout).await;
        ensure(
            matches!(screen, Screen::Login { .. }),
            "log out returns to the login screen",
        )?;
        let screen = phone
            .act(UserAction::Login {
                username: self.account.clone(),
                password: NEW_PASSWORD.into(),
            })
            .await;
        let Screen::Home {
            display_name,
            merchant_name,
            ..
        } = screen
        else {
            return Err(DemoError::Unexpected(format!(
                "login with the new password shows {screen:?}"
            )));
        };
        let self_check = self.self_check().await?;
        Ok(facts(json!({
            "display_name": display_name,
            "merchant_name": merchant_name,
            "self_check": self_check,
        })))
    }

    /// The cashier's guide: check the device, the reader, the software and
    /// the network before the shift.
    async fn self_check(&self) -> Result<Map<String, Value>, DemoError> {
        let phone = self.cashier();
        phone.act(UserAction::OpenSelfCheck).await;
        let screen = phone
            .wait_until("the pre-shift check to finish", |screen| {
                matches!(screen, Screen::SelfCheck { running: false, .. })
            })
            .await?;
        let Screen::SelfCheck { lines, .. } = screen else {
            unreachable!("waited for the check")
        };
        // The demo's phone reports no battery; every other line must pass.
        let failing: Vec<String> = lines
            .iter()
            .filter(|line| !matches!(line.status, CheckStatus::Ok | CheckStatus::Skipped))
            .map(|line| format!("{:?}: {:?}", line.item, line.finding))
            .collect();
        ensure(
            failing.is_empty(),
            format!("every line of the check passes: {failing:?}"),
        )?;
        let statuses: Map<String, Value> = lines
            .iter()
            .map(|line| {
                (
                    format!("{:?}", line.item),
                    Value::String(format!("{:?}", line.status)),
                )
            })
            .collect();
        let screen = phone.act(UserAction::Back).await;
        ensure(
            matches!(screen, Screen::Home { .. }),
            "back from the check returns home",
        )?;
        Ok(statuses)
    }

    /// Rings up a sale up to the card: amount, brand, "Pay now".
    async fn ring_up(&self, dollars: u64, brand: Brand) -> Result<(), DemoError> {
        let phone = self.cashier();
        phone.act(UserAction::StartSale).await;
        phone.act(UserAction::EnterAmount { dollars }).await;
        phone.act(UserAction::ChooseBrand { brand }).await;
        let screen = phone.act(UserAction::PayNow).await;
        ensure(
            matches!(
                screen,
                Screen::PresentCard {
                    prompt: CardPrompt::InsertOrSwipe,
                    ..
                }
            ),
            "Pay now asks for the card",
        )
    }

    async fn sale(&mut self) -> Result<Facts, DemoError> {
        self.ring_up(4_800, Brand::Visa).await?;
        let phone = self.cashier();
        let screen = phone
            .insert(
                CardId::VisaChipApproved,
                "the authorization",
                payment_finished,
            )
            .await?;
        let Screen::Signature { transaction, .. } = screen else {
            return Err(DemoError::Unexpected(format!(
                "a NT$4,800 VISA sale must be signed, got {screen:?}"
            )));
        };
        self.sign().await?;
        let screen = phone
            .act(UserAction::SendReceipt {
                destination: ReceiptDestination::Email(CUSTOMER_EMAIL.into()),
            })
            .await;
        let Screen::Receipt {
            transaction: receipt_txn,
            receipt_url,
            qr,
            sent_to,
            ..
        } = screen
        else {
            return Err(DemoError::Unexpected(
                "sending keeps the receipt on screen".into(),
            ));
        };
        ensure(
            !sent_to.is_empty(),
            "the receipt screen confirms where it went",
        )?;
        ensure(receipt_txn.signed, "the receipt carries the signature")?;
        let auth_code = transaction.auth_code.clone().unwrap_or_default();
        self.environment
            .wait_for_mail_mentioning(CUSTOMER_EMAIL, &auth_code)
            .await?;
        phone.remove_card();
        let screen = phone.act(UserAction::FinishReceipt).await;
        ensure(
            matches!(screen, Screen::Home { .. }),
            "finishing the receipt returns home",
        )?;
        ensure(
            transaction.status == TxnStatus::Approved,
            "the sale is approved",
        )?;
        let result = facts(json!({
            "transaction_id": transaction.id,
            "amount": transaction.amount,
            "brand": transaction.brand,
            "entry_mode": transaction.entry_mode,
            "masked_pan": transaction.masked_pan,
            "auth_code": auth_code,
            "invoice_no": transaction.invoice_no,
            "signature_required": true,
            "receipt_url": receipt_url,
            "qr_width": qr.width,
            "receipt_sent_to": sent_to,
        }));
        self.sale = Some(transaction);
        Ok(result)
    }

    async fn sale_no_signature(&mut self) -> Result<Facts, DemoError> {
        self.ring_up(250, Brand::Mastercard).await?;
        let phone = self.cashier();
        let screen = phone
            .insert(
                CardId::MastercardChipApproved,
                "the authorization",
                payment_finished,
            )
            .await?;
        let Screen::Receipt { transaction, .. } = screen else {
            return Err(DemoError::Unexpected(format!(
                "NT$250 is under the no-signature limit, yet the app shows {screen:?}"
            )));
        };
        let screen = phone
            .act(UserAction::SendReceipt {
                destination: ReceiptDestination::Sms(CUSTOMER_PHONE.into()),
            })
            .await;
        ensure(
            matches!(&screen, Screen::Receipt { sent_to, .. } if !sent_to.is_empty()),
            "the SMS is confirmed",
        )?;
        let auth_code = transaction.auth_code.clone().unwrap_or_default();
        self.environment
            .wait_for_sms_mentioning(CUSTOMER_PHONE, &transaction.receipt_url)
            .await?;
        phone.remove_card();
        phone.act(UserAction::FinishReceipt).await;
        ensure(!transaction.signed, "no signature was taken")?;
        let result = facts(json!({
            "transaction_id": transaction.id,
            "amount": transaction.amount,
            "brand": transaction.brand,
            "masked_pan": transaction.masked_pan,
            "auth_code": auth_code,
            "signature_required": false,
            "receipt_sms": true,
        }));
        self.small_sale = Some(transaction);
        Ok(result)
    }

    async fn chip_fallback_swipe(&mut self) -> Result<Facts, DemoError> {
        self.ring_up(300, Brand::Visa).await?;
        let phone = self.cashier();
        let card = CardId::VisaChipApproved;
        // Chip first, in the reader's firmware: the stripe of a chip card is refused.
        let refused = phone
            .swipe(card, "the insert-chip prompt", |s| {
                matches!(
                    s,
                    Screen::PresentCard {
                        prompt: CardPrompt::InsertChip,
                        ..
                    }
                )
            })
            .await?;
        let insert_chip_prompt = message_code(&refused);
        ensure(
            insert_chip_prompt.as_deref() == Some("chip_required"),
            format!("a swiped chip card is refused with the insert-chip prompt, got {refused:?}"),
        )?;
        let mut failures = Vec::new();
        for attempt in 1..=3 {
            let screen = phone
                .insert_unreadable(card, "the chip failure notice", |s| {
                    let code = message_code(s);
                    matches!(s, Screen::PresentCard { .. })
                        && (code.as_deref() == Some("chip_read_failed")
                            || code.as_deref() == Some("swipe_after_chip_failure"))
                })
                .await?;
            phone.remove_card();
            failures.push(message_code(&screen).unwrap_or_default());
            ensure(
                matches!(screen, Screen::PresentCard { prompt, .. }
                    if (prompt == CardPrompt::SwipeAfterChipFailure) == (attempt == 3)),
                format!("the swipe is offered after the third chip failure only, got {screen:?}"),
            )?;
        }
        let screen = phone
            .swipe(card, "the fallback authorization", payment_finished)
            .await?;
        let Screen::Receipt { transaction, .. } = screen else {
            return Err(DemoError::Unexpected(format!(
                "the NT$300 fallback swipe ended on {screen:?}"
            )));
        };
        phone.act(UserAction::FinishReceipt).await;
        ensure(
            transaction.status == TxnStatus::Approved,
            "the fallback sale is approved",
        )?;
        ensure(
            transaction.entry_mode == EntryMode::FallbackSwipe,
            format!(
                "the gateway records a fallback swipe, not {:?}",
                transaction.entry_mode
            ),
        )?;
        let result = facts(json!({
            "transaction_id": transaction.id,
            "amount": transaction.amount,
            "masked_pan": transaction.masked_pan,
            "insert_chip_prompt": insert_chip_prompt,
            "chip_failures": failures,
            "entry_mode": transaction.entry_mode,
            "status": transaction.status,
        }));
        self.fallback_sale = Some(transaction);
        Ok(result)
    }

    async fn chip_declined_after_approval_reversed(&mut self) -> Result<Facts, DemoError> {
        self.ring_up(800, Brand::Visa).await?;
        let phone = self.cashier();
        let card = CardId::VisaChipDeclinesAfterApproval;
        let before = phone.screens_shown();
        let screen = phone
            .insert(card, "the card's verdict", payment_finished)
            .await?;
        let Screen::OutcomeUnknown { masked_pan, .. } = &screen else {
            return Err(DemoError::Unexpected(format!(
                "an approval the chip declined must not show a result, got {screen:?}"
            )));
        };
        let masked_pan = masked_pan.clone();
        // The first result screen the app showed: it may have moved on already.
        let shown = phone.screens_since_until(before, payment_finished).await;
        let first_result = shown.iter().find(|s| payment_finished(s));
        ensure(
            shown.iter().all(|s| {
                !matches!(
                    s,
                    Screen::Signature { .. } | Screen::Receipt { .. } | Screen::Declined { .. }
                )
            }),
            "an approval the card declined is never shown as approved or declined",
        )?;
        let reversing_with = first_result.and_then(message_code);
        let card_decision =
            tokio::task::block_in_place(|| phone.reader().device().last_card_decision());
        ensure(
            card_decision == Some(mpos_sim::icc::CardDecision::Aac),
            format!("the chip answered AAC, not {card_decision:?}"),
        )?;
        let screen = phone
            .wait_until("the reversal to be acknowledged", |s| {
                matches!(
                    s,
                    Screen::OutcomeUnknown {
                        reversal_acknowledged: true,
                        ..
                    }
                )
            })
            .await?;
        let acknowledged_with = message_code(&screen);
        ensure(
            acknowledged_with.as_deref() == Some("not_charged"),
            format!("the cardholder is told nothing was charged, got {screen:?}"),
        )?;
        phone.remove_card();
        let screen = phone.act(UserAction::CancelPayment).await;
        ensure(
            matches!(screen, Screen::Home { .. }),
            "the cashier goes back home",
        )?;
        let all = self.environment.all_transactions().await?;
        let at_gateway = all
            .transactions
            .iter()
            .find(|t| t.masked_pan.as_str() == masked_pan && t.kind == TxnKind::Sale)
            .ok_or_else(|| DemoError::Unexpected("the portal lists the declined sale".into()))?;
        ensure(
            at_gateway.status == TxnStatus::Reversed,
            format!(
                "the gateway shows the sale reversed, not {:?}",
                at_gateway.status
            ),
        )?;
        Ok(facts(json!({
            "transaction_id": at_gateway.id,
            "amount": at_gateway.amount,
            "masked_pan": masked_pan,
            "response_code_at_gateway": at_gateway.response_code,
            "card_decision": "aac",
            "outcome_unknown_with": reversing_with,
            "reversal_acknowledged_with": acknowledged_with,
            "status_at_gateway": at_gateway.status,
        })))
    }

    async fn refund(&mut self) -> Result<Facts, DemoError> {
        let sale = self.sale.clone().expect("sale step ran");
        let phone = self.cashier();
        phone.act(UserAction::StartRefund).await;
        phone.act(UserAction::EnterAmount { dollars: 1_000 }).await;
        phone
            .act(UserAction::ChooseBrand { brand: Brand::Visa })
            .await;
        let screen = phone.act(UserAction::RefundNow).await;
        ensure(
            matches!(screen, Screen::RefundAuthCode { .. }),
            "a refund asks for the original authorization code",
        )?;
        let auth_code = sale.auth_code.clone().unwrap_or_default();
        phone
            .act(UserAction::EnterOriginalAuthCode {
                code: auth_code.clone(),
            })
            .await;
        let screen = phone.act(UserAction::ContinueRefund).await;
        ensure(
            matches!(
                screen,
                Screen::PresentCard {
                    prompt: CardPrompt::SwipeOnly,
                    kind: TxnKind::Refund,
                    ..
                }
            ),
            "a refund asks for a swipe",
        )?;
        // Refunds are swipe only: an inserted chip is not read.
        phone.reader().insert(CardId::VisaChipApproved);
        let inserted = phone
            .wait_until("the swipe-only notice", |s| {
                matches!(
                    s,
                    Screen::PresentCard {
                        message: Some(_),
                        ..
                    }
                )
            })
            .await?;
        phone.remove_card();
        let screen = phone
            .swipe(
                CardId::VisaChipApproved,
                "the refund authorization",
                payment_finished,
            )
            .await?;
        let transaction = match screen {
            Screen::Receipt { transaction, .. } => transaction,
            Screen::Signature { transaction, .. } => {
                self.sign().await?;
                transaction
            }
            other => {
                return Err(DemoError::Unexpected(format!(
                    "the refund ended on {other:?}"
                )))
            }
        };
        phone.act(UserAction::FinishReceipt).await;
        ensure(transaction.kind == TxnKind::Refund, "it is a refund")?;
        ensure(
            transaction.status == TxnStatus::Approved,
            "the refund is approved",
        )?;
        ensure(
            transaction.original_transaction_id.as_deref() == Some(sale.id.as_str()),
            "the refund points at the original sale",
        )?;
        Ok(facts(json!({
            "transaction_id": transaction.id,
            "amount": transaction.amount,
            "original_auth_code": auth_code,
            "original_transaction_id": sale.id,
            "entry_mode": transaction.entry_mode,
            "insert_refused_with": message_code(&inserted),
        })))
    }

    async fn open_transactions(&self, phone: &Phone) -> Result<(), DemoError> {
        let screen = phone.act(UserAction::OpenTransactions).await;
        ensure(
            matches!(screen, Screen::QueryPassword { .. }),
            "transaction details ask for the password again",
        )?;
        let screen = phone
            .act(UserAction::EnterQueryPassword {
                password: NEW_PASSWORD.into(),
            })
            .await;
        ensure(
            matches!(screen, Screen::TransactionSearch { .. }),
            "the password opens the search",
        )
    }

    async fn void(&mut self) -> Result<Facts, DemoError> {
        self.ring_up(120, Brand::Jcb).await?;
        let phone = self.cashier();
        let screen = phone
            .insert(
                CardId::JcbNoSignature,
                "the authorization",
                payment_finished,
            )
            .await?;
        let Screen::Receipt {
            transaction: jcb_sale,
            ..
        } = screen
        else {
            return Err(DemoError::Unexpected(format!(
                "the JCB sale ended on {screen:?}"
            )));
        };
        phone.remove_card();
        phone.act(UserAction::FinishReceipt).await;
        self.open_transactions(phone).await?;
        let auth_code = jcb_sale.auth_code.clone().unwrap_or_default();
        let screen = phone
            .act(UserAction::Search {
                criteria: TransactionSearch {
                    auth_code: Some(auth_code.clone()),
                    ..TransactionSearch::default()
                },
            })
            .await;
        let Screen::TransactionSearch { results, .. } = screen else {
            return Err(DemoError::Unexpected("search shows results".into()));
        };
        ensure(
            results.len() == 1 && results[0].id == jcb_sale.id,
            "the authorization code finds the sale",
        )?;
        let screen = phone
            .act(UserAction::OpenTransaction {
                id: jcb_sale.id.clone(),
            })
            .await;
        ensure(
            matches!(screen, Screen::TransactionDetail { can_void: true, .. }),
            "an unsettled sale can be voided",
        )?;
        let screen = phone.act(UserAction::VoidNow).await;
        let Screen::VoidDone {
            transaction: voided,
        } = screen
        else {
            return Err(DemoError::Unexpected(format!(
                "Void now ended on {screen:?}"
            )));
        };
        ensure(voided.status == TxnStatus::Voided, "the sale is voided")?;
        let screen = phone.act(UserAction::BackToDetails).await;
        ensure(
            matches!(
                screen,
                Screen::TransactionDetail {
                    can_void: false,
                    ..
                }
            ),
            "a voided sale cannot be voided again",
        )?;
        phone.act(UserAction::Back).await;
        Ok(facts(json!({
            "transaction_id": voided.id,
            "auth_code": auth_code,
            "amount": voided.amount,
            "status": voided.status,
        })))
    }

    async fn query(&mut self) -> Result<Facts, DemoError> {
        let sale = self.sale.clone().expect("sale step ran");
        let phone = self.cashier();
        let last4 = sale.masked_pan.last4().to_string();
        let screen = phone
            .act(UserAction::Search {
                criteria: TransactionSearch {
                    last4: Some(last4.clone()),
                    ..TransactionSearch::default()
                },
            })
            .await;
        let Screen::TransactionSearch { results, .. } = screen else {
            return Err(DemoError::Unexpected("search shows results".into()));
        };
        ensure(
            results.iter().any(|t| t.id == sale.id),
            "the sale is found by its last 4 digits",
        )?;
        ensure(
            results
                .iter()
                .all(|t| t.masked_pan.last4() == last4 && !t.is_settled()),
            "only unsettled transactions of that card are listed",
        )?;
        // The cashier opens the sale's details and leaves them on screen.
        let screen = phone
            .act(UserAction::OpenTransaction {
                id: sale.id.clone(),
            })
            .await;
        ensure(
            matches!(screen, Screen::TransactionDetail { can_void: true, .. }),
            "the sale details offer Void now",
        )?;
        Ok(facts(json!({
            "last4": last4,
            "results": results.len(),
            "kinds": results.iter().map(|t| t.kind).collect::<Vec<_>>(),
        })))
    }

    async fn settle(&mut self) -> Result<Facts, DemoError> {
        let counter = self.new_phone("counter phone", 0x0000_0002)?;
        counter.plug_in_reader().await?;
        let screen = counter
            .act(UserAction::Login {
                username: self.account.clone(),
                password: NEW_PASSWORD.into(),
            })
            .await;
        ensure(
            matches!(screen, Screen::Home { .. }),
            "the counter phone logs in",
        )?;
        self.open_transactions(&counter).await?;
        let screen = counter.act(UserAction::EnterSettlement).await;
        let Screen::SettlementReview {
            preview: Some(preview),
            ..
        } = screen
        else {
            return Err(DemoError::Unexpected(format!(
                "Enter settlement shows {screen:?}"
            )));
        };
        let sale = self.sale.as_ref().expect("sale step ran");
        let small = self
            .small_sale
            .as_ref()
            .expect("sale_no_signature step ran");
        let fallback = self
            .fallback_sale
            .as_ref()
            .expect("chip_fallback_swipe step ran");
        let expected_net = sale.amount.minor + small.amount.minor + fallback.amount.minor - 100_000;
        ensure(
            preview.totals.count == 4,
            "three sales and one refund are pending; the void and the reversal are not",
        )?;
        ensure(
            preview.totals.net_total.minor == expected_net,
            "the pending amount is sales minus refunds",
        )?;
        let screen = counter.act(UserAction::SettleNow).await;
        let Screen::SettlementDone { batch } = screen else {
            return Err(DemoError::Unexpected(format!(
                "Settle now shows {screen:?}"
            )));
        };
        ensure(
            batch.totals == preview.totals,
            "the batch holds what the review showed",
        )?;
        Ok(facts(json!({
            "batch_id": batch.id,
            "business_date": batch.business_date,
            "count": batch.totals.count,
            "net_total": batch.totals.net_total,
            "per_brand": batch.totals.per_brand,
        })))
    }

    async fn void_after_settle_refused(&mut self) -> Result<Facts, DemoError> {
        let sale = self.sale.clone().expect("sale step ran");
        let phone = self.cashier();
        let screen = phone.act(UserAction::VoidNow).await;
        let code = message_code(&screen);
        ensure(
            matches!(screen, Screen::TransactionDetail { .. })
                && code.as_deref() == Some("already_settled"),
            format!("the gateway refuses the void of a settled sale, the app shows {screen:?}"),
        )?;
        let all = self.environment.all_transactions().await?;
        let at_gateway = all
            .transactions
            .iter()
            .find(|t| t.id == sale.id)
            .ok_or_else(|| DemoError::Unexpected("the portal lists the sale".into()))?;
        ensure(
            at_gateway.status == TxnStatus::Approved,
            "the settled sale stays approved",
        )?;
        ensure(at_gateway.batch_id.is_some(), "the sale is in a batch")?;
        Ok(facts(json!({
            "refused_with": code,
            "transaction_id": sale.id,
            "status_at_gateway": at_gateway.status,
            "batch_id": at_gateway.batch_id,
        })))
    }
}
