//! The text of the inputs, kept by the core: a shell reports each edit and
//! each press, and the core turns them into typed `UserAction`s. Edits are
//! cleaned here (digits only where digits are asked for, codes in upper
//! case, lengths capped); secrets are wiped when they are sent or their
//! screen is left, and a receipt's contact never outlives its receipt.

use super::intent::{FieldId, Intent};
use super::screen_view::ScreenId;
use crate::model::user_action::UserAction;
use mpos_wire::api::{ReceiptDestination, TransactionSearch};
use std::collections::BTreeMap;
use zeroize::Zeroize;

/// What a press asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Run these actions in order.
    Actions(Vec<UserAction>),
    /// Cancel the request running now.
    CancelRequest,
}

impl FieldId {
    /// The screen the input is on.
    pub fn screen(self) -> ScreenId {
        match self {
            FieldId::Username | FieldId::Password => ScreenId::Login,
            FieldId::ActivationCode => ScreenId::Activation,
            FieldId::NewPassword | FieldId::NewPasswordConfirmation => ScreenId::NewPassword,
            FieldId::Amount => ScreenId::Amount,
            FieldId::OriginalAuthCode => ScreenId::RefundAuthCode,
            FieldId::ReceiptContact => ScreenId::Receipt,
            FieldId::QueryPassword => ScreenId::QueryPassword,
            FieldId::SearchLast4 | FieldId::SearchAuthCode | FieldId::SearchInvoiceNo => {
                ScreenId::TransactionSearch
            }
        }
    }

    /// Whether it holds a password: hidden, never echoed, wiped after use.
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            FieldId::Password
                | FieldId::NewPassword
                | FieldId::NewPasswordConfirmation
                | FieldId::QueryPassword
        )
    }

    /// The longest text it takes, in characters (0: no limit).
    pub fn max_length(self) -> u32 {
        match self {
            FieldId::NewPassword | FieldId::NewPasswordConfirmation => 6,
            FieldId::SearchLast4 => 4,
            FieldId::OriginalAuthCode | FieldId::SearchAuthCode | FieldId::SearchInvoiceNo => 6,
            FieldId::Amount => 9,
            FieldId::ActivationCode => 16,
            FieldId::Username => 64,
            FieldId::Password | FieldId::QueryPassword => 64,
            FieldId::ReceiptContact => 254,
        }
    }

    /// The text as the field keeps it.
    fn clean(self, text: &str) -> String {
        let digits_only = matches!(
            self,
            FieldId::Amount
                | FieldId::NewPassword
                | FieldId::NewPasswordConfirmation
                | FieldId::SearchLast4
                | FieldId::SearchInvoiceNo
        );
        let code = matches!(
            self,
            FieldId::OriginalAuthCode | FieldId::SearchAuthCode | FieldId::ActivationCode
        );
        let kept: String = if digits_only {
            text.chars().filter(char::is_ascii_digit).collect()
        } else if code {
            text.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase())
                .collect()
        } else {
            text.to_string()
        };
        match self.max_length() {
            0 => kept,
            limit => kept.chars().take(limit as usize).collect(),
        }
    }
}

/// The inputs' text.
#[derive(Default, Clone, PartialEq, Eq)]
pub struct Form {
    drafts: BTreeMap<FieldId, String>,
    /// Bumped whenever the core itself empties a field (a secret sent, a
    /// screen left), so a shell knows to drop the text it shows.
    revisions: BTreeMap<FieldId, u32>,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Passwords and contacts never reach a log line.
        f.debug_set().entries(self.drafts.keys()).finish()
    }
}

impl Drop for Form {
    fn drop(&mut self) {
        self.wipe(|_| true);
    }
}

impl Form {
    /// An empty form.
    pub fn new() -> Form {
        Form::default()
    }

    /// An edit of `field`: keeps the cleaned text, and returns the action
    /// for inputs whose value the flows hold (amount, authorization code).
    pub fn edit(&mut self, field: FieldId, text: &str) -> Option<UserAction> {
        let text = field.clean(text);
        let action = match field {
            FieldId::Amount => Some(UserAction::EnterAmount {
                // Nine digits always fit; the flow refuses amounts too large.
                dollars: text.parse().unwrap_or(0),
            }),
            FieldId::OriginalAuthCode => {
                Some(UserAction::EnterOriginalAuthCode { code: text.clone() })
            }
            _ => None,
        };
        if let Some(mut old) = self.drafts.insert(field, text) {
            old.zeroize();
        }
        action
    }

    /// How often the core has emptied `field` itself.
    pub fn revision(&self, field: FieldId) -> u32 {
        self.revisions.get(&field).copied().unwrap_or(0)
    }

    /// The text of a field that is no secret (secrets read as empty).
    pub fn value(&self, field: FieldId) -> String {
        if field.is_secret() {
            return String::new();
        }
        self.drafts.get(&field).cloned().unwrap_or_default()
    }

    /// What pressing `intent` asks for, with the inputs it uses; secrets
    /// it sends are wiped.
    pub fn press(&mut self, intent: &Intent) -> Press {
        let action = match intent {
            Intent::LogIn => UserAction::Login {
                username: self.value(FieldId::Username),
                password: self.take(FieldId::Password),
            },
            Intent::SubmitActivationCode => UserAction::SubmitActivationCode {
                code: self.take(FieldId::ActivationCode),
            },
            Intent::SetNewPassword => UserAction::SetNewPassword {
                password: self.take(FieldId::NewPassword),
                confirmation: self.take(FieldId::NewPasswordConfirmation),
            },
            Intent::StartSale => UserAction::StartSale,
            Intent::StartRefund => UserAction::StartRefund,
            Intent::OpenTransactions => UserAction::OpenTransactions,
            Intent::LogOut => UserAction::Logout,
            Intent::ChooseBrand { brand } => UserAction::ChooseBrand {
                brand: (*brand).into(),
            },
            Intent::PayNow => UserAction::PayNow,
            Intent::RefundNow => UserAction::RefundNow,
            Intent::ContinueRefund => UserAction::ContinueRefund,
            Intent::CancelPayment => UserAction::CancelPayment,
            Intent::PinKey { key } => UserAction::PinKey { key: *key },
            Intent::ClearPin => UserAction::ClearPin,
            Intent::ConfirmPin => UserAction::ConfirmPin,
            Intent::RetryPin => UserAction::RetryPin,
            Intent::ClearSignature => UserAction::ClearSignature,
            Intent::ConfirmSignature => UserAction::ConfirmSignature,
            Intent::SendReceipt => UserAction::SendReceipt {
                destination: receipt_destination(&self.value(FieldId::ReceiptContact)),
            },
            Intent::ShowReceipt => UserAction::ShowReceipt,
            Intent::FinishReceipt => UserAction::FinishReceipt,
            Intent::SubmitQueryPassword => UserAction::EnterQueryPassword {
                password: self.take(FieldId::QueryPassword),
            },
            Intent::Search => UserAction::Search {
                criteria: TransactionSearch {
                    last4: self.filled(FieldId::SearchLast4),
                    auth_code: self.filled(FieldId::SearchAuthCode),
                    invoice_no: self.filled(FieldId::SearchInvoiceNo),
                },
            },
            Intent::OpenTransaction { id } => UserAction::OpenTransaction { id: id.clone() },
            Intent::VoidNow => UserAction::VoidNow,
            Intent::BackToDetails => UserAction::BackToDetails,
            Intent::EnterSettlement => UserAction::EnterSettlement,
            Intent::SettleNow => UserAction::SettleNow,
            Intent::Back => UserAction::Back,
            Intent::OpenSelfCheck => UserAction::OpenSelfCheck,
            Intent::RunSelfCheck => UserAction::RunSelfCheck,
            Intent::CancelRequest => return Press::CancelRequest,
        };
        Press::Actions(vec![action])
    }

    /// The app now shows `screen`: inputs of screens left behind that must
    /// not linger are wiped (secrets, the last customer's contact, and all
    /// but the account name back at login or home).
    pub fn follow(&mut self, screen: ScreenId) {
        let home = matches!(screen, ScreenId::Login | ScreenId::Home);
        self.wipe(|field| {
            (field.is_secret() && field.screen() != screen)
                || (field == FieldId::ReceiptContact && screen != ScreenId::Receipt)
                || (home && field.screen() != screen && field != FieldId::Username)
        });
    }

    fn take(&mut self, field: FieldId) -> String {
        self.bump(field);
        self.drafts.remove(&field).unwrap_or_default()
    }

    fn bump(&mut self, field: FieldId) {
        let revision = self.revisions.entry(field).or_default();
        *revision = revision.wrapping_add(1);
    }

    fn filled(&self, field: FieldId) -> Option<String> {
        Some(self.value(field)).filter(|text| !text.trim().is_empty())
    }

    fn wipe(&mut self, which: impl Fn(FieldId) -> bool) {
        let gone: Vec<FieldId> = self.drafts.keys().copied().filter(|f| which(*f)).collect();
        for field in gone {
            if let Some(mut text) = self.drafts.remove(&field) {
                text.zeroize();
                self.bump(field);
            }
        }
    }
}

/// An e-mail address when the contact has an `@`, otherwise a mobile number.
pub fn receipt_destination(contact: &str) -> ReceiptDestination {
    let contact = contact.trim().to_string();
    if contact.contains('@') {
        ReceiptDestination::Email(contact)
    } else {
        ReceiptDestination::Sms(contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::intent::CardBrand;
    use mpos_wire::Brand;

    fn actions(form: &mut Form, intent: Intent) -> Vec<UserAction> {
        match form.press(&intent) {
            Press::Actions(actions) => actions,
            Press::CancelRequest => panic!("not a cancel"),
        }
    }

    #[test]
    fn login_sends_both_inputs_and_forgets_the_password() {
        let mut form = Form::new();
        assert_eq!(form.edit(FieldId::Username, "amy"), None);
        form.edit(FieldId::Password, "135790");
        assert_eq!(
            form.value(FieldId::Password),
            "",
            "secrets are never echoed"
        );
        assert_eq!(
            actions(&mut form, Intent::LogIn),
            vec![UserAction::Login {
                username: "amy".into(),
                password: "135790".into()
            }]
        );
        assert_eq!(
            form.revision(FieldId::Password),
            1,
            "the shell clears it too"
        );
        assert_eq!(form.revision(FieldId::Username), 0);
        // The password went out once; the account stays for the next try.
        assert_eq!(
            actions(&mut form, Intent::LogIn),
            vec![UserAction::Login {
                username: "amy".into(),
                password: String::new()
            }]
        );
    }

    #[test]
    fn inputs_keep_only_what_they_take() {
        let mut form = Form::new();
        assert_eq!(
            form.edit(FieldId::Amount, "NT$ 4,800"),
            Some(UserAction::EnterAmount { dollars: 4_800 })
        );
        assert_eq!(form.value(FieldId::Amount), "4800");
        assert_eq!(
            form.edit(FieldId::Amount, "12345678901234"),
            Some(UserAction::EnterAmount {
                dollars: 123_456_789
            })
        );
        assert_eq!(
            form.edit(FieldId::OriginalAuthCode, " ab-12c9 "),
            Some(UserAction::EnterOriginalAuthCode {
                code: "AB12C9".into()
            })
        );
        form.edit(FieldId::SearchLast4, "11 11 22");
        assert_eq!(form.value(FieldId::SearchLast4), "1111");
        form.edit(FieldId::NewPassword, "12a34567");
        form.edit(FieldId::NewPasswordConfirmation, "123456");
        assert_eq!(
            actions(&mut form, Intent::SetNewPassword),
            vec![UserAction::SetNewPassword {
                password: "123456".into(),
                confirmation: "123456".into()
            }]
        );
    }

    #[test]
    fn search_sends_only_the_filled_criteria() {
        let mut form = Form::new();
        form.edit(FieldId::SearchAuthCode, "ab12c9");
        form.edit(FieldId::SearchLast4, "  ");
        assert_eq!(
            actions(&mut form, Intent::Search),
            vec![UserAction::Search {
                criteria: TransactionSearch {
                    last4: None,
                    auth_code: Some("AB12C9".into()),
                    invoice_no: None,
                }
            }]
        );
    }

    #[test]
    fn the_receipt_goes_by_e_mail_or_sms_by_what_was_typed() {
        assert_eq!(
            receipt_destination(" amy@example.tw "),
            ReceiptDestination::Email("amy@example.tw".into())
        );
        assert_eq!(
            receipt_destination("0912 345 678"),
            ReceiptDestination::Sms("0912 345 678".into())
        );
        let mut form = Form::new();
        form.edit(FieldId::ReceiptContact, "a@b.tw");
        assert!(matches!(
            actions(&mut form, Intent::SendReceipt).as_slice(),
            [UserAction::SendReceipt {
                destination: ReceiptDestination::Email(_)
            }]
        ));
    }

    #[test]
    fn leaving_a_screen_wipes_what_must_not_linger() {
        let mut form = Form::new();
        form.edit(FieldId::Username, "amy");
        form.edit(FieldId::Password, "135790");
        form.follow(ScreenId::Activation);
        assert_eq!(
            actions(&mut form, Intent::LogIn),
            vec![UserAction::Login {
                username: "amy".into(),
                password: String::new()
            }]
        );
        form.edit(FieldId::ReceiptContact, "customer@example.tw");
        form.follow(ScreenId::Receipt);
        assert_eq!(form.value(FieldId::ReceiptContact), "customer@example.tw");
        form.follow(ScreenId::Amount);
        assert_eq!(
            form.value(FieldId::ReceiptContact),
            "",
            "the next customer starts blank"
        );
        form.edit(FieldId::SearchInvoiceNo, "000012");
        form.follow(ScreenId::TransactionDetail);
        assert_eq!(form.value(FieldId::SearchInvoiceNo), "000012");
        form.follow(ScreenId::Home);
        assert_eq!(form.value(FieldId::SearchInvoiceNo), "");
        // At the login screen, what is being typed there stays.
        form.edit(FieldId::Password, "246810");
        form.follow(ScreenId::Login);
        assert!(matches!(
            form.press(&Intent::LogIn),
            Press::Actions(actions) if actions == vec![UserAction::Login {
                username: "amy".into(),
                password: "246810".into()
            }]
        ));
        assert_eq!(form.value(FieldId::Username), "amy");
        assert_eq!(format!("{form:?}"), "{Username}");
    }

    #[test]
    fn every_intent_maps_and_cancel_is_the_apps() {
        let mut form = Form::new();
        assert_eq!(form.press(&Intent::CancelRequest), Press::CancelRequest);
        assert_eq!(
            actions(
                &mut form,
                Intent::ChooseBrand {
                    brand: CardBrand::Jcb
                }
            ),
            vec![UserAction::ChooseBrand { brand: Brand::Jcb }]
        );
        assert_eq!(
            actions(&mut form, Intent::OpenTransaction { id: "t9".into() }),
            vec![UserAction::OpenTransaction { id: "t9".into() }]
        );
    }
}
