//! [`ScreenView`]: one screen, ready to draw. Every string is final text
//! in the user's locale and every value is formatted; a shell lays the
//! parts out (title, status, message, fields, prompt, QR code, signature
//! pad, inputs, choices, rows, buttons) and sends back what each input and
//! button names. It decides nothing.

use super::intent::{FieldId, Intent};
use super::locale::Locale;
use crate::model::screen::Screen;

/// Which KGI mPOS screen this is: shells may pick a layout by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ScreenId {
    /// 登入: account and password.
    Login,
    /// 首次登入: the SMS activation code.
    Activation,
    /// 設定新密碼: the 6-digit password, twice.
    NewPassword,
    /// A short wait.
    Loading,
    /// 首頁: the main menu.
    Home,
    /// Amount and card brand (sale or refund).
    Amount,
    /// Refund: the original authorization code.
    RefundAuthCode,
    /// Insert or swipe the card.
    PresentCard,
    /// The cardholder enters the PIN on the reader's keypad.
    PinEntry,
    /// The issuer said the PIN was wrong.
    WrongPin,
    /// Waiting for the bank.
    Authorizing,
    /// No answer: reversing.
    OutcomeUnknown,
    /// The issuer declined.
    Declined,
    /// The cardholder signs.
    Signature,
    /// 電子簽單: QR code, e-mail, SMS.
    Receipt,
    /// Transaction details: password re-entry.
    QueryPassword,
    /// Search of unsettled transactions.
    TransactionSearch,
    /// 銷售詳情, with "Void now".
    TransactionDetail,
    /// Voided: send the e-receipt or go back.
    VoidDone,
    /// 信用卡結帳: review and settle.
    SettlementReview,
    /// Settled.
    SettlementDone,
    /// 開班前檢查: the phone, the reader, the software, the network.
    SelfCheck,
}

impl ScreenId {
    /// Every screen, in the guide's order.
    pub const ALL: [ScreenId; 22] = [
        ScreenId::Login,
        ScreenId::Activation,
        ScreenId::NewPassword,
        ScreenId::Loading,
        ScreenId::Home,
        ScreenId::Amount,
        ScreenId::RefundAuthCode,
        ScreenId::PresentCard,
        ScreenId::PinEntry,
        ScreenId::WrongPin,
        ScreenId::Authorizing,
        ScreenId::OutcomeUnknown,
        ScreenId::Declined,
        ScreenId::Signature,
        ScreenId::Receipt,
        ScreenId::QueryPassword,
        ScreenId::TransactionSearch,
        ScreenId::TransactionDetail,
        ScreenId::VoidDone,
        ScreenId::SettlementReview,
        ScreenId::SettlementDone,
        ScreenId::SelfCheck,
    ];

    /// The screen `screen` is.
    pub fn of(screen: &Screen) -> ScreenId {
        match screen {
            Screen::Login { .. } => ScreenId::Login,
            Screen::Activation { .. } => ScreenId::Activation,
            Screen::NewPassword { .. } => ScreenId::NewPassword,
            Screen::Loading { .. } => ScreenId::Loading,
            Screen::Home { .. } => ScreenId::Home,
            Screen::Amount { .. } => ScreenId::Amount,
            Screen::RefundAuthCode { .. } => ScreenId::RefundAuthCode,
            Screen::PresentCard { .. } => ScreenId::PresentCard,
            Screen::PinEntry { .. } => ScreenId::PinEntry,
            Screen::WrongPin { .. } => ScreenId::WrongPin,
            Screen::Authorizing { .. } => ScreenId::Authorizing,
            Screen::OutcomeUnknown { .. } => ScreenId::OutcomeUnknown,
            Screen::Declined { .. } => ScreenId::Declined,
            Screen::Signature { .. } => ScreenId::Signature,
            Screen::Receipt { .. } => ScreenId::Receipt,
            Screen::QueryPassword { .. } => ScreenId::QueryPassword,
            Screen::TransactionSearch { .. } => ScreenId::TransactionSearch,
            Screen::TransactionDetail { .. } => ScreenId::TransactionDetail,
            Screen::VoidDone { .. } => ScreenId::VoidDone,
            Screen::SettlementReview { .. } => ScreenId::SettlementReview,
            Screen::SettlementDone { .. } => ScreenId::SettlementDone,
            Screen::SelfCheck { .. } => ScreenId::SelfCheck,
        }
    }
}

/// How a message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Tone {
    /// Information or an instruction.
    Info,
    /// Something went wrong; the text says what to do.
    Warning,
    /// Done as asked.
    Success,
}

/// A message banner.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MessageView {
    /// Stable code (`invalid_credentials`, `reader_not_connected`...), for tests and analytics.
    pub code: String,
    /// The text, saying what to do next.
    pub text: String,
    /// How it reads.
    pub tone: Tone,
}

/// A label and its formatted value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FieldView {
    /// What it is.
    pub label: String,
    /// Its value, formatted.
    pub value: String,
}

/// What the keyboard and the field look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum InputKind {
    /// Free text.
    Text,
    /// A secret: hidden, never echoed back in `value`.
    Password,
    /// A secret of digits only (the 6-digit password).
    DigitPassword,
    /// Digits only (amounts, last 4 digits, invoice numbers).
    Digits,
    /// Letters and digits, upper case (codes).
    Code,
    /// An e-mail address or a phone number.
    Contact,
}

/// A text input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InputView {
    /// What the shell names in `edit`.
    pub field: FieldId,
    /// The label.
    pub label: String,
    /// The text the core holds for it (always empty for secrets).
    pub value: String,
    /// Keyboard and masking.
    pub kind: InputKind,
    /// Longest accepted text, in characters (0: no limit).
    pub max_length: u32,
    /// Changes when the core empties the field itself (a password sent):
    /// the shell then drops the text it shows.
    pub revision: u32,
}

/// One option of a choice (the card brand).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChoiceView {
    /// Its name.
    pub label: String,
    /// Sent when chosen.
    pub intent: Intent,
    /// Whether it is the current choice.
    pub selected: bool,
}

/// A group of options, one of which may be chosen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ChoiceGroupView {
    /// What is chosen.
    pub label: String,
    /// The options, in order.
    pub options: Vec<ChoiceView>,
}

/// One line of a list (a search result).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RowView {
    /// First line.
    pub title: String,
    /// Second line.
    pub detail: String,
    /// Right-hand text.
    pub trailing: String,
    /// Sent when tapped.
    pub intent: Intent,
}

/// The PIN pad: ten keys in the reader's random order, and a dot per key
/// touched. The shell lays the keys out in rows of three with the last one
/// alone in the middle of the fourth row, and sends each key's intent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PinPadView {
    /// The keys in reading order; empty until the reader sent its layout.
    pub keys: Vec<ButtonView>,
    /// What the dots stand for.
    pub label: String,
    /// One dot per digit entered (never the digits).
    pub dots: String,
}

/// How a button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ButtonStyle {
    /// The screen's main action.
    Primary,
    /// Another action.
    Secondary,
    /// An action that undoes money (void).
    Danger,
}

/// A button.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ButtonView {
    /// Its words.
    pub label: String,
    /// Sent when pressed.
    pub intent: Intent,
    /// How it looks.
    pub style: ButtonStyle,
    /// Whether it can be pressed now.
    pub enabled: bool,
}

/// The e-receipt's QR code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct QrView {
    /// What it encodes (the hosted receipt page).
    pub content: String,
    /// Modules per side, without the quiet zone (draw 4 light modules around it).
    pub size: u32,
    /// The modules row by row, 8 per byte, first module in the highest
    /// bit: module `i = y * size + x` is dark when bit `7 - i % 8` of byte
    /// `i / 8` is set.
    pub modules: Vec<u8>,
    /// The same code as an SVG document.
    pub svg: String,
    /// The words under it.
    pub caption: String,
}

/// A point of a signature stroke, in a 0..=1000 square.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignaturePoint {
    /// 0 (left) to 1000 (right).
    pub x: u16,
    /// 0 (top) to 1000 (bottom).
    pub y: u16,
}

/// One pen-down-to-pen-up line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignatureStroke {
    /// Its points in order.
    pub points: Vec<SignaturePoint>,
}

/// The signature pad: what the core holds of the signature so far.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignaturePadView {
    /// The strokes drawn and sent so far.
    pub strokes: Vec<SignatureStroke>,
    /// What the pad says while empty.
    pub hint: String,
}

/// How a line of the pre-shift check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CheckState {
    /// Still being checked.
    Checking,
    /// Not checked: another line must pass first.
    Skipped,
    /// Fine.
    Ok,
    /// Fine for now; the advice says what to do soon.
    Warning,
    /// Stops payments; the advice says what to do.
    Failed,
}

/// One line of the pre-shift check.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckView {
    /// What is checked.
    pub label: String,
    /// What was found, formatted.
    pub value: String,
    /// How it came out.
    pub state: CheckState,
    /// The state in words (for the badge and screen readers).
    pub state_text: String,
    /// What to do, when something needs doing.
    pub advice: Option<String>,
}

/// A request running now.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BusyView {
    /// What is happening.
    pub text: String,
    /// The button that stops it, when it may be stopped (only requests
    /// that move no money); it sends [`Intent::CancelRequest`].
    pub cancel: Option<ButtonView>,
}

/// One screen, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScreenView {
    /// Which screen.
    pub screen: ScreenId,
    /// The language of every string below.
    pub locale: Locale,
    /// The title bar.
    pub title: String,
    /// A line under the title (the merchant), if any.
    pub subtitle: Option<String>,
    /// Status lines (the card reader).
    pub status: Vec<FieldView>,
    /// What went wrong or what to do.
    pub message: Option<MessageView>,
    /// The main instruction, large.
    pub prompt: Option<String>,
    /// Labelled values.
    pub fields: Vec<FieldView>,
    /// The receipt's QR code.
    pub qr: Option<QrView>,
    /// The signature pad.
    pub signature: Option<SignaturePadView>,
    /// The PIN pad.
    pub pin_pad: Option<PinPadView>,
    /// Text inputs.
    pub inputs: Vec<InputView>,
    /// A choice (the card brand).
    pub choice: Option<ChoiceGroupView>,
    /// A list (search results).
    pub rows: Vec<RowView>,
    /// What the list says while empty.
    pub empty_rows: Option<String>,
    /// The pre-shift check's lines.
    pub checks: Vec<CheckView>,
    /// Buttons, main first.
    pub buttons: Vec<ButtonView>,
    /// A request running now.
    pub busy: Option<BusyView>,
    /// What the system back button sends; `None`: it does nothing here.
    pub back: Option<Intent>,
    /// Keep the display on (a card is being read).
    pub keep_screen_on: bool,
}

impl ScreenView {
    /// A screen with a title and nothing else, to fill in.
    pub(crate) fn titled(screen: ScreenId, locale: Locale, title: &str) -> ScreenView {
        ScreenView {
            screen,
            locale,
            title: title.to_string(),
            subtitle: None,
            status: Vec::new(),
            message: None,
            prompt: None,
            fields: Vec::new(),
            qr: None,
            signature: None,
            pin_pad: None,
            inputs: Vec::new(),
            choice: None,
            rows: Vec::new(),
            empty_rows: None,
            checks: Vec::new(),
            buttons: Vec::new(),
            busy: None,
            back: None,
            keep_screen_on: false,
        }
    }

    /// Every string a user can read on it, for tests of wording and card data.
    pub fn texts(&self) -> Vec<&str> {
        let mut texts = vec![self.title.as_str()];
        texts.extend(self.subtitle.as_deref());
        for field in self.status.iter().chain(&self.fields) {
            texts.extend([field.label.as_str(), field.value.as_str()]);
        }
        texts.extend(self.message.as_ref().map(|m| m.text.as_str()));
        texts.extend(self.prompt.as_deref());
        if let Some(qr) = &self.qr {
            texts.push(qr.caption.as_str());
        }
        if let Some(pad) = &self.signature {
            texts.push(pad.hint.as_str());
        }
        if let Some(pad) = &self.pin_pad {
            texts.extend([pad.label.as_str(), pad.dots.as_str()]);
            texts.extend(pad.keys.iter().map(|key| key.label.as_str()));
        }
        for input in &self.inputs {
            texts.extend([input.label.as_str(), input.value.as_str()]);
        }
        if let Some(choice) = &self.choice {
            texts.push(choice.label.as_str());
            texts.extend(choice.options.iter().map(|o| o.label.as_str()));
        }
        for row in &self.rows {
            texts.extend([
                row.title.as_str(),
                row.detail.as_str(),
                row.trailing.as_str(),
            ]);
        }
        texts.extend(self.empty_rows.as_deref());
        for check in &self.checks {
            texts.extend([
                check.label.as_str(),
                check.value.as_str(),
                check.state_text.as_str(),
            ]);
            texts.extend(check.advice.as_deref());
        }
        texts.extend(self.buttons.iter().map(|b| b.label.as_str()));
        if let Some(busy) = &self.busy {
            texts.push(busy.text.as_str());
            texts.extend(busy.cancel.as_ref().map(|b| b.label.as_str()));
        }
        texts
    }

    /// The button that sends `intent`, if the screen has one.
    pub fn button(&self, intent: &Intent) -> Option<&ButtonView> {
        self.buttons.iter().find(|button| &button.intent == intent)
    }

    /// The value of the field labelled `label`, if any.
    pub fn field(&self, label: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|field| field.label == label)
            .map(|field| field.value.as_str())
    }
}
