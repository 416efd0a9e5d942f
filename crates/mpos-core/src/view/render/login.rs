//! Login, first login (activation code, new password), the wait while
//! settings load, and the home screen.

use super::Ctx;
use crate::error::UserMessage;
use crate::view::intent::{FieldId, Intent};
use crate::view::screen_view::{InputKind, ScreenId, ScreenView};
use crate::view::text::Text;

/// 登入: the reader's state, account and password.
pub(super) fn login(
    reader_connected: bool,
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::Login, Text::LoginTitle);
    view.status.push(ctx.reader(reader_connected));
    view.message = ctx.message(message);
    view.inputs = vec![
        ctx.input(FieldId::Username, Text::Account, InputKind::Text),
        ctx.input(FieldId::Password, Text::Password, InputKind::Password),
    ];
    view.buttons = vec![
        ctx.primary(Text::LogIn, Intent::LogIn),
        ctx.secondary(Text::OpenSelfCheck, Intent::OpenSelfCheck),
    ];
    view
}

/// First login: the SMS activation code.
pub(super) fn activation(message: &Option<UserMessage>, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::Activation, Text::ActivationTitle);
    view.prompt = Some(ctx.t(Text::ActivationPrompt));
    view.message = ctx.message(message);
    view.inputs = vec![ctx.input(
        FieldId::ActivationCode,
        Text::ActivationCode,
        InputKind::Code,
    )];
    view.buttons = vec![
        ctx.primary(Text::Confirm, Intent::SubmitActivationCode),
        ctx.secondary(Text::Back, Intent::Back),
    ];
    view.back = Some(Intent::Back);
    view
}

/// First login: the new 6-digit password, twice.
pub(super) fn new_password(message: &Option<UserMessage>, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::NewPassword, Text::NewPasswordTitle);
    view.prompt = Some(ctx.t(Text::NewPasswordPrompt));
    view.message = ctx.message(message);
    view.inputs = vec![
        ctx.input(
            FieldId::NewPassword,
            Text::NewPassword,
            InputKind::DigitPassword,
        ),
        ctx.input(
            FieldId::NewPasswordConfirmation,
            Text::NewPasswordAgain,
            InputKind::DigitPassword,
        ),
    ];
    view.buttons = vec![
        ctx.primary(Text::Confirm, Intent::SetNewPassword),
        ctx.secondary(Text::Back, Intent::Back),
    ];
    view.back = Some(Intent::Back);
    view
}

/// A short wait.
pub(super) fn loading(message: &Option<UserMessage>, ctx: &Ctx<'_>) -> ScreenView {
    let mut view = ctx.view(ScreenId::Loading, Text::LoadingTitle);
    view.prompt = Some(ctx.t(Text::PleaseWait));
    view.message = ctx.message(message);
    ctx.waiting(&mut view);
    view
}

/// 首頁: the main menu.
pub(super) fn home(
    display_name: &str,
    merchant_name: &str,
    reader_connected: bool,
    message: &Option<UserMessage>,
    ctx: &Ctx<'_>,
) -> ScreenView {
    let mut view = ctx.view(ScreenId::Home, Text::HomeTitle);
    view.subtitle = Some(merchant_name.to_string());
    view.status.push(ctx.reader(reader_connected));
    view.fields.push(ctx.field(Text::User, display_name));
    view.message = ctx.message(message);
    view.buttons = vec![
        ctx.primary(Text::StartSale, Intent::StartSale),
        ctx.primary(Text::StartRefund, Intent::StartRefund),
        ctx.secondary(Text::OpenTransactions, Intent::OpenTransactions),
        ctx.secondary(Text::OpenSelfCheck, Intent::OpenSelfCheck),
        ctx.secondary(Text::LogOut, Intent::LogOut),
    ];
    view
}
