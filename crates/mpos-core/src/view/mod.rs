//! The display-ready view model. The core renders every screen, in the
//! user's locale, as a [`ScreenView`] the shells only draw: titles,
//! labelled and formatted values, the prompt, the message, inputs,
//! choices, rows, the QR code, the signature pad, and the buttons with the
//! [`Intent`] each sends. Edits and presses come back through [`Form`] and
//! become the typed `UserAction`s of the flows. No wording, formatting or
//! rule lives in a shell or in the terminal printer.

pub mod form;
pub mod format;
pub mod intent;
pub mod locale;
mod render;
pub mod screen_view;
pub mod text;

pub use form::{Form, Press};
pub use intent::{CardBrand, FieldId, Intent};
pub use locale::Locale;
pub use render::{render, Activity};
pub use screen_view::{
    BusyView, ButtonStyle, ButtonView, CheckState, CheckView, ChoiceGroupView, ChoiceView,
    FieldView, InputKind, InputView, MessageView, QrView, RowView, ScreenId, ScreenView,
    SignaturePadView, SignaturePoint, SignatureStroke, Tone,
};
