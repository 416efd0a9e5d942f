//! Navigation: which flow owns the screen, and how user actions, reader
//! events and command replies reach it. Pure like the flows: the app object
//! feeds it and runs the commands it returns.

use crate::error::UserMessage;
use crate::flows::login::{LoginFlow, LoginInput, LoginStep};
use crate::flows::payment::{PaymentExit, PaymentFlow, PaymentInput, PaymentStep};
use crate::flows::query::{QueryExit, QueryFlow, QueryInput, QueryStep};
use crate::flows::self_check::{SelfCheckFlow, SelfCheckInput};
use crate::flows::settlement::SettlementInput;
use crate::flows::timing::Timing;
use crate::flows::void::VoidInput;
use crate::flows::{Command, Reply};
use crate::model::in_flight::ResumeDecision;
use crate::model::reader::{ReaderEvent, ReaderInfo};
use crate::model::self_check::PhonePower;
use crate::model::session::{Session, SessionToken};
use crate::model::timer::Timer;
use crate::model::user_action::UserAction;
use crate::notice::Notice;
use mpos_wire::api::{TerminalConfig, TxnKind};
use mpos_wire::{AppVersion, Currency};

/// Which flow owns the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// Login and first login.
    Login(LoginFlow),
    /// Home screen.
    Home {
        /// A message for it.
        message: Option<UserMessage>,
    },
    /// Sale or refund.
    Payment(PaymentFlow),
    /// Transaction details, void, settlement.
    Transactions(QueryFlow),
    /// The pre-shift check, over the route it was opened from (login or
    /// home), which "Back" returns to as it was.
    SelfCheck {
        /// The check.
        flow: SelfCheckFlow,
        /// Where it was opened.
        previous: Box<Route>,
    },
}

/// Something for the engine.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// A user action, with the reader's state read just before and a fresh key.
    Action {
        /// The action.
        action: UserAction,
        /// The reader as `info()` reported it.
        reader: Option<ReaderInfo>,
        /// Random 128-bit hex, used if the action starts a void.
        fresh_key: String,
    },
    /// A reader event, with a fresh key in case it starts an authorization.
    Reader {
        /// The event.
        event: ReaderEvent,
        /// Random 128-bit hex.
        fresh_key: String,
    },
    /// A command's result.
    Reply(Reply),
    /// A wait a flow asked for is over.
    Timer(Timer),
}

/// The navigation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Engine {
    pub(crate) route: Route,
    pub(crate) session: Option<Session>,
    pub(crate) reader_connected: bool,
    /// A reversal or signature owed from an earlier session, done right after login.
    pub(crate) owed: Option<ResumeDecision>,
    /// How long flows wait for the reader and between reversal tries.
    pub(crate) timing: Timing,
    /// Whether the platform lets the app use the microphone (the reader's uplink).
    pub(crate) microphone_allowed: bool,
    /// The phone's battery as the shell last reported it.
    pub(crate) phone_power: Option<PhonePower>,
}

impl Engine {
    /// The state at start-up, given what the journal left in flight.
    pub(crate) fn start(
        decision: ResumeDecision,
        reader_connected: bool,
        timing: Timing,
    ) -> (Engine, Vec<Command>) {
        let mut engine = Engine {
            route: Route::Login(LoginFlow::new()),
            session: None,
            reader_connected,
            owed: None,
            timing,
            microphone_allowed: true,
            phone_power: None,
        };
        let commands = match decision {
            ResumeDecision::Nothing => Vec::new(),
            // Money first: the reversal goes out before anyone logs in (if
            // the gateway wants a session for it, the flow asks for a login).
            reversal @ ResumeDecision::SendReversal { .. } => {
                match PaymentFlow::resume(settings_unknown(), reversal, timing) {
                    Some((flow, commands)) => {
                        engine.route = Route::Payment(flow);
                        commands
                    }
                    None => Vec::new(),
                }
            }
            signature @ ResumeDecision::ResumeSignature { .. } => {
                engine.route =
                    Route::Login(LoginFlow::with_message(Notice::SignatureNeedsLogin.into()));
                engine.owed = Some(signature);
                Vec::new()
            }
        };
        (engine, commands)
    }

    /// Feeds one input; returns the commands to run.
    pub(crate) fn handle(&mut self, input: Input) -> Vec<Command> {
        let commands = match input {
            Input::Action {
                action,
                reader,
                fresh_key,
            } => {
                self.reader_connected = reader.is_some();
                self.on_action(action, reader, fresh_key)
            }
            Input::Reader { event, fresh_key } => {
                let plugged = match &event {
                    ReaderEvent::Connected(_) => {
                        self.reader_connected = true;
                        self.forget_reader_notice();
                        true
                    }
                    ReaderEvent::Disconnected => {
                        self.reader_connected = false;
                        true
                    }
                    _ => false,
                };
                match &mut self.route {
                    Route::Payment(flow) => flow.handle(PaymentInput::Reader { event, fresh_key }),
                    Route::SelfCheck { flow, .. } if plugged => {
                        flow.handle(SelfCheckInput::ReaderChanged)
                    }
                    _ => Vec::new(),
                }
            }
            Input::Reply(reply) => match &mut self.route {
                Route::Login(flow) => flow.handle(LoginInput::Reply(reply)),
                Route::Payment(flow) => flow.handle(PaymentInput::Reply(reply)),
                Route::Transactions(flow) => flow.handle(QueryInput::Reply(reply)),
                Route::SelfCheck { flow, .. } => flow.handle(SelfCheckInput::Reply(reply)),
                Route::Home { .. } => Vec::new(),
            },
            // Only payments wait on timers; one that outlived its flow is dropped.
            Input::Timer(timer) => match &mut self.route {
                Route::Payment(flow) => flow.handle(PaymentInput::Timer(timer)),
                _ => Vec::new(),
            },
        };
        let mut commands = commands;
        commands.extend(self.follow_exits());
        commands
    }

    /// The token the next request goes with, if anyone is (being) logged in.
    pub(crate) fn token(&self) -> Option<&SessionToken> {
        match &self.route {
            Route::Login(flow) => flow.token(),
            _ => self.session.as_ref().map(|session| &session.token),
        }
    }

    /// The platform allowed or refused the microphone.
    pub(crate) fn set_microphone_allowed(&mut self, allowed: bool) {
        self.microphone_allowed = allowed;
        if let Route::SelfCheck { flow, .. } = &mut self.route {
            flow.handle(SelfCheckInput::MicrophoneAllowed(allowed));
        }
    }

    /// The shell read the phone's battery.
    pub(crate) fn set_phone_power(&mut self, power: Option<PhonePower>) {
        self.phone_power = power;
        if let Route::SelfCheck { flow, .. } = &mut self.route {
            flow.handle(SelfCheckInput::PhonePower(power));
        }
    }

    /// Opens the pre-shift check over the current route.
    fn open_self_check(&mut self) -> Vec<Command> {
        let (flow, commands) =
            SelfCheckFlow::start(app_version(), self.phone_power, self.microphone_allowed);
        let previous = std::mem::replace(&mut self.route, Route::Home { message: None });
        self.route = Route::SelfCheck {
            flow,
            previous: Box::new(previous),
        };
        commands
    }

    /// A reader arrived: "plug in the reader" no longer applies.
    fn forget_reader_notice(&mut self) {
        forget_reader_notice_on(&mut self.route);
    }

    fn on_action(
        &mut self,
        action: UserAction,
        reader: Option<ReaderInfo>,
        fresh_key: String,
    ) -> Vec<Command> {
        let reader_connected = reader.is_some();
        if action == UserAction::OpenSelfCheck {
            // From the login screen and home only: never from the middle of
            // a first login or of a payment.
            let from_login_or_home = match &self.route {
                Route::Login(flow) => *flow.step() == LoginStep::Credentials,
                Route::Home { .. } => true,
                _ => false,
            };
            return if from_login_or_home {
                self.open_self_check()
            } else {
                Vec::new()
            };
        }
        match (&mut self.route, action) {
            (Route::SelfCheck { flow, previous }, action) => match action {
                UserAction::RunSelfCheck => flow.handle(SelfCheckInput::RunAgain),
                UserAction::Back => {
                    let previous =
                        std::mem::replace(previous.as_mut(), Route::Home { message: None });
                    self.route = previous;
                    Vec::new()
                }
                _ => Vec::new(),
            },
            (Route::Login(flow), action) => {
                let input = match action {
                    UserAction::Login { username, password } => LoginInput::Submit {
                        username,
                        password,
                        reader_serial: reader.map(|info| info.serial),
                    },
                    UserAction::SubmitActivationCode { code } => {
                        LoginInput::SubmitActivationCode { code }
                    }
                    UserAction::SetNewPassword {
                        password,
                        confirmation,
                    } => LoginInput::SetNewPassword {
                        password,
                        confirmation,
                    },
                    UserAction::Back => LoginInput::Back,
                    _ => return Vec::new(),
                };
                flow.handle(input)
            }
            (Route::Home { message }, action) => {
                let Some(session) = self.session.clone() else {
                    self.route = Route::Login(LoginFlow::new());
                    return Vec::new();
                };
                match action {
                    UserAction::StartSale | UserAction::StartRefund if !reader_connected => {
                        *message = Some(Notice::ReaderNotConnected.into());
                        Vec::new()
                    }
                    UserAction::StartSale => {
                        self.route = Route::Payment(PaymentFlow::new(
                            TxnKind::Sale,
                            session.config,
                            session.profile.username,
                            self.timing,
                        ));
                        Vec::new()
                    }
                    UserAction::StartRefund => {
                        self.route = Route::Payment(PaymentFlow::new(
                            TxnKind::Refund,
                            session.config,
                            session.profile.username,
                            self.timing,
                        ));
                        Vec::new()
                    }
                    UserAction::OpenTransactions => {
                        self.route = Route::Transactions(QueryFlow::new());
                        Vec::new()
                    }
                    UserAction::Logout => self.logout(),
                    _ => Vec::new(),
                }
            }
            (Route::Payment(flow), action) => {
                let input = match action {
                    UserAction::EnterAmount { dollars } => PaymentInput::EnterAmount { dollars },
                    UserAction::ChooseBrand { brand } => PaymentInput::ChooseBrand { brand },
                    UserAction::PayNow => PaymentInput::Proceed {
                        kind: TxnKind::Sale,
                        reader_connected,
                    },
                    UserAction::RefundNow => PaymentInput::Proceed {
                        kind: TxnKind::Refund,
                        reader_connected,
                    },
                    UserAction::EnterOriginalAuthCode { code } => {
                        PaymentInput::EnterAuthCode { code }
                    }
                    UserAction::ContinueRefund => PaymentInput::ContinueRefund { reader_connected },
                    UserAction::AddSignatureStroke { points } => PaymentInput::AddStroke { points },
                    UserAction::PinKey { key } => PaymentInput::PinKey { key },
                    UserAction::ClearPin => PaymentInput::ClearPin,
                    UserAction::ConfirmPin => PaymentInput::ConfirmPin,
                    UserAction::RetryPin => PaymentInput::RetryPin,
                    UserAction::ClearSignature => PaymentInput::ClearSignature,
                    UserAction::ConfirmSignature => PaymentInput::ConfirmSignature,
                    UserAction::SendReceipt { destination } => {
                        PaymentInput::SendReceipt { destination }
                    }
                    UserAction::FinishReceipt => PaymentInput::FinishReceipt,
                    UserAction::Back => PaymentInput::Back,
                    UserAction::CancelPayment => PaymentInput::Cancel,
                    UserAction::Logout if !flow.is_critical() => {
                        let mut commands = flow.handle(PaymentInput::Cancel);
                        commands.extend(self.logout());
                        return commands;
                    }
                    _ => return Vec::new(),
                };
                flow.handle(input)
            }
            (Route::Transactions(flow), action) => {
                let input = match action {
                    UserAction::EnterQueryPassword { password } => {
                        QueryInput::EnterPassword { password }
                    }
                    UserAction::Search { criteria } => QueryInput::Search { criteria },
                    UserAction::OpenTransaction { id } => QueryInput::OpenTransaction { id },
                    UserAction::EnterSettlement => QueryInput::EnterSettlement,
                    UserAction::VoidNow => QueryInput::Void(VoidInput::VoidNow { fresh_key }),
                    UserAction::BackToDetails => QueryInput::Void(VoidInput::BackToDetails),
                    UserAction::ShowReceipt => QueryInput::Void(VoidInput::ShowReceipt),
                    UserAction::SendReceipt { destination } => {
                        QueryInput::Void(VoidInput::SendReceipt { destination })
                    }
                    UserAction::FinishReceipt => QueryInput::Void(VoidInput::FinishReceipt),
                    UserAction::SettleNow => QueryInput::Settlement(SettlementInput::SettleNow),
                    UserAction::Back => QueryInput::Back,
                    UserAction::Logout => return self.logout(),
                    _ => return Vec::new(),
                };
                flow.handle(input)
            }
        }
    }

    fn logout(&mut self) -> Vec<Command> {
        let token = self.session.take().map(|session| session.token);
        self.route = Route::Login(LoginFlow::new());
        token.map(Command::Logout).into_iter().collect()
    }

    /// Moves on when a flow has finished; may start owed work.
    fn follow_exits(&mut self) -> Vec<Command> {
        match &self.route {
            Route::Login(flow) => {
                let Some(session) = flow.session().cloned() else {
                    return Vec::new();
                };
                self.session = Some(session.clone());
                if let Some(owed) = self.owed.take() {
                    if let Some(owner) = signature_owner_other_than(&owed, &session) {
                        // Only the user who took the payment may collect its
                        // signature; the owed work waits for their login.
                        let message = Notice::SignatureOwedByAnotherUser.with_username(&owner);
                        self.owed = Some(owed);
                        self.route = Route::Home {
                            message: Some(message),
                        };
                        return Vec::new();
                    }
                    // A reversal goes out after any login: the gateway finds
                    // the original by merchant and key.
                    if let Some((flow, commands)) =
                        PaymentFlow::resume(session.config, owed, self.timing)
                    {
                        self.route = Route::Payment(flow);
                        return commands;
                    }
                }
                self.route = Route::Home { message: None };
                Vec::new()
            }
            Route::Payment(flow) => match flow.step() {
                PaymentStep::Exit(PaymentExit::Home(message)) => {
                    self.route = match self.session {
                        Some(_) => Route::Home {
                            message: message.clone(),
                        },
                        None => Route::Login(match message {
                            Some(message) => LoginFlow::with_message(message.clone()),
                            None => LoginFlow::new(),
                        }),
                    };
                    Vec::new()
                }
                PaymentStep::Exit(PaymentExit::Login {
                    message,
                    unfinished,
                }) => {
                    // Keep what another user still owes when this flow owes nothing.
                    if unfinished.is_some() {
                        self.owed = unfinished.clone();
                    }
                    self.session = None;
                    self.route = Route::Login(LoginFlow::with_message(message.clone()));
                    Vec::new()
                }
                PaymentStep::Exit(PaymentExit::Postponed {
                    message,
                    unfinished,
                }) => {
                    self.owed = Some(unfinished.clone());
                    self.route = match self.session {
                        Some(_) => Route::Home {
                            message: Some(message.clone()),
                        },
                        None => Route::Login(LoginFlow::with_message(message.clone())),
                    };
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Route::Transactions(flow) => match flow.step() {
                QueryStep::Exit(QueryExit::Home) => {
                    self.route = Route::Home { message: None };
                    Vec::new()
                }
                QueryStep::Exit(QueryExit::Login(message)) => {
                    self.session = None;
                    self.route = Route::Login(LoginFlow::with_message(message.clone()));
                    Vec::new()
                }
                _ => Vec::new(),
            },
            Route::Home { .. } | Route::SelfCheck { .. } => Vec::new(),
        }
    }
}

/// A reader arrived: "plug in the reader" no longer applies on `route`
/// (nor on the route under a pre-shift check).
fn forget_reader_notice_on(route: &mut Route) {
    match route {
        Route::Login(flow) => flow.reader_connected(),
        Route::Home { message } => {
            if message
                .as_ref()
                .is_some_and(crate::flows::login::is_reader_notice)
            {
                *message = None;
            }
        }
        Route::SelfCheck { previous, .. } => forget_reader_notice_on(previous),
        Route::Payment(_) | Route::Transactions(_) => {}
    }
}

/// This app's version: the core's, released with both shells.
pub(crate) fn app_version() -> AppVersion {
    env!("CARGO_PKG_VERSION")
        .parse()
        .expect("the crate version is MAJOR.MINOR.PATCH")
}

/// The user who owes `owed`'s signature, when that is not the one of
/// `session`. Rows journaled before users were recorded have no owner.
fn signature_owner_other_than(owed: &ResumeDecision, session: &Session) -> Option<String> {
    match owed {
        ResumeDecision::ResumeSignature { record, .. }
            if !record.username.is_empty() && record.username != session.profile.username =>
        {
            Some(record.username.clone())
        }
        _ => None,
    }
}

/// Settings before login, when a reversal is resumed: no brand is known,
/// so nothing can be sold until the user logs in and they are loaded.
fn settings_unknown() -> TerminalConfig {
    TerminalConfig {
        merchant_id: String::new(),
        merchant_name: String::new(),
        terminal_id: String::new(),
        currency: Currency::Twd,
        brands: Vec::new(),
        time_zone: "Asia/Taipei".into(),
        auto_settle_at: "23:00".into(),
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
