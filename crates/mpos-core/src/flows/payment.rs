//! Sale and refund as one pure state machine: amount and brand, (refund:
//! the original authorization code), the card, the PIN where the brand's
//! rule asks one, the authorization, then the signature and the receipt. When the outcome of an authorization is
//! unknown, the flow never shows approved or declined: it reverses the
//! request, by its idempotency key, until the gateway acknowledges.

use super::chip_first::{ChipFirst, SwipeVerdict};
use super::journal_write::JournalWrite;
use super::receipt::ReceiptFlow;
use super::timing::Timing;
use super::{normalize_auth_code, AuthorizeRequest, Command, Reply};
use crate::error::UserMessage;
use crate::model::host_error::HostError;
use crate::model::in_flight::{InFlightRecord, JournalState, JournalUpdate, ResumeDecision};
use crate::model::reader::{KeypadLayout, OnlineResult, ReaderError, ReaderEvent, ReaderRequest};
use crate::model::timer::Timer;
use crate::notice::Notice;
use mpos_wire::api::{
    AuthorizationResponse, PinBlockPayload, Point, ReceiptDestination, RefundRequest,
    ReversalReason, ReversalRequest, SaleRequest, SignatureRequest, Stroke, TerminalConfig,
    TransactionSummary, TxnKind, TxnStatus,
};
use mpos_wire::{Brand, CardPayload, EntryMode, ErrorCode, MaskedPan, Money};

/// ISO 8583: the PIN was wrong; the cardholder may try again.
const WRONG_PIN: &str = "55";
/// ISO 8583: too many wrong PINs; the issuer blocked the PIN.
const PIN_TRIES_EXCEEDED: &str = "75";
/// ISO 9564-1's shortest and longest PIN.
const MIN_PIN_KEYS: usize = 4;
const MAX_PIN_KEYS: usize = 12;

/// What the present-card screen asks the cardholder to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardPrompt {
    /// Insert the chip or swipe a card without a chip.
    InsertOrSwipe,
    /// A chip card was swiped: insert the chip.
    InsertChip,
    /// Refunds: swipe only.
    SwipeOnly,
    /// The chip failed 3 times: swipe the stripe.
    SwipeAfterChipFailure,
}

/// How the flow ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentExit {
    /// Back to the home screen, with a message for it.
    Home(Option<UserMessage>),
    /// The session ended: log in again, then resume what is unfinished.
    Login {
        /// Why.
        message: UserMessage,
        /// A reversal or a signature still owed.
        unfinished: Option<ResumeDecision>,
    },
    /// The gateway refused a reversal in a way that sending it again now
    /// would not change: home (or login) with the message, and the
    /// reversal is sent again after the next login.
    Postponed {
        /// The gateway's refusal.
        message: UserMessage,
        /// The reversal still owed (the journal keeps it too).
        unfinished: ResumeDecision,
    },
}

/// The transaction being authorized, as far as screens and journal need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    /// Idempotency key of the request.
    pub idempotency_key: String,
    /// Amount.
    pub amount: Money,
    /// Brand.
    pub brand: Brand,
    /// First 6 and last 4 digits.
    pub masked_pan: MaskedPan,
}

/// Where the payment stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentStep {
    /// Amount and brand.
    Amount,
    /// Refund: the original authorization code.
    RefundAuthCode,
    /// Waiting for the card.
    PresentCard {
        /// Chip failures of this transaction.
        chip: ChipFirst,
        /// What the screen asks.
        prompt: CardPrompt,
    },
    /// The cardholder enters the PIN on the reader's keypad layout.
    PinEntry(PinEntry),
    /// The issuer said the PIN was wrong: read the card again or stop.
    WrongPin {
        /// The declined attempt.
        transaction: TransactionSummary,
    },
    /// The request is being journaled, then sent.
    Authorizing {
        /// The transaction.
        in_flight: InFlight,
        /// The request until it is handed to the driver; dropped after.
        request: Option<AuthorizeRequest>,
    },
    /// Approved: the reader is given the answer, and a chip card may still
    /// refuse it; the payment is complete only when the reader took it.
    Completing {
        /// The transaction.
        in_flight: InFlight,
        /// The host's approval.
        response: AuthorizationResponse,
    },
    /// No readable answer: reversing until acknowledged.
    OutcomeUnknown {
        /// The transaction.
        in_flight: InFlight,
        /// Why it is reversed.
        reason: ReversalReason,
        /// Reversal tries that failed.
        attempts: u32,
        /// Whether the gateway acknowledged the reversal.
        acknowledged: bool,
    },
    /// The issuer declined.
    Declined {
        /// The declined transaction.
        transaction: TransactionSummary,
    },
    /// After a restart: loading the approved transaction that awaits a signature.
    FetchingTransaction {
        /// The transaction as journaled.
        in_flight: InFlight,
        /// Its gateway id.
        transaction_id: String,
    },
    /// Approved; the cardholder signs.
    Signature {
        /// The approved transaction.
        transaction: TransactionSummary,
        /// Its idempotency key (journal).
        idempotency_key: String,
        /// Strokes so far.
        strokes: Vec<Stroke>,
        /// The journal's `awaiting_signature` until it is on disk.
        unsaved: Option<JournalWrite>,
    },
    /// The e-receipt.
    Receipt(ReceiptFlow),
    /// The flow is over.
    Exit(PaymentExit),
}

/// A PIN entry in progress. The phone holds key positions, never digits:
/// only the reader knows which digit each key shows to it.
#[derive(Clone, PartialEq, Eq)]
pub struct PinEntry {
    /// The card the PIN is for, sent with the PIN block.
    card: CardPayload,
    /// The key of the authorization the PIN block starts.
    idempotency_key: String,
    /// The reader's keypad, once it came.
    layout: Option<KeypadLayout>,
    /// Positions touched so far; emptied when sent.
    keys: Vec<u8>,
    /// Touches so far (keys and clears): names the idle wait of the last one.
    touches: u32,
    /// Whether the positions went to the reader and its PIN block is awaited.
    sent: bool,
}

impl std::fmt::Debug for PinEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinEntry")
            .field("card", &self.card.masked_pan)
            .field("keys", &self.keys.len())
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl PinEntry {
    /// The card's first 6 and last 4 digits.
    pub fn masked_pan(&self) -> &MaskedPan {
        &self.card.masked_pan
    }

    /// The keypad to draw, once the reader sent it.
    pub fn layout(&self) -> Option<KeypadLayout> {
        self.layout
    }

    /// How many keys were touched (one dot each).
    pub fn entered(&self) -> usize {
        self.keys.len()
    }

    /// Whether the PIN went to the reader and its block is awaited.
    pub fn is_sent(&self) -> bool {
        self.sent
    }
}

/// What the user, the reader or the driver feeds the payment flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentInput {
    /// Amount in whole NT$.
    EnterAmount {
        /// Whole dollars.
        dollars: u64,
    },
    /// Card brand chosen.
    ChooseBrand {
        /// The brand.
        brand: Brand,
    },
    /// "Pay now" (sale) or "Refund now" (refund).
    Proceed {
        /// Which button.
        kind: TxnKind,
        /// Whether a reader is plugged in.
        reader_connected: bool,
    },
    /// The original authorization code typed.
    EnterAuthCode {
        /// As typed.
        code: String,
    },
    /// "Continue" after the authorization code.
    ContinueRefund {
        /// Whether a reader is plugged in.
        reader_connected: bool,
    },
    /// A reader event, with a fresh idempotency key in case it starts an authorization.
    Reader {
        /// The event.
        event: ReaderEvent,
        /// Random 128-bit hex from the driver.
        fresh_key: String,
    },
    /// A key of the PIN pad touched: its position, never its digit.
    PinKey {
        /// 0 to 9, in the keypad's reading order.
        key: u8,
    },
    /// Empty the PIN entered so far.
    ClearPin,
    /// The cardholder finished the PIN.
    ConfirmPin,
    /// After a wrong PIN: read the card again for another try.
    RetryPin,
    /// A pen stroke on the signature pad.
    AddStroke {
        /// Its points.
        points: Vec<Point>,
    },
    /// Clear the signature pad.
    ClearSignature,
    /// Confirm the signature.
    ConfirmSignature,
    /// Send the e-receipt.
    SendReceipt {
        /// Where to.
        destination: ReceiptDestination,
    },
    /// Done with the receipt.
    FinishReceipt,
    /// One step back.
    Back,
    /// Abandon the payment.
    Cancel,
    /// Result of a command.
    Reply(Reply),
    /// A wait the flow asked for is over.
    Timer(Timer),
}

/// The sale/refund state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFlow {
    kind: TxnKind,
    config: TerminalConfig,
    /// Who pays (journaled), or who paid when resumed.
    username: String,
    dollars: u64,
    brand: Option<Brand>,
    auth_code: String,
    step: PaymentStep,
    message: Option<UserMessage>,
    resumed: bool,
    timing: Timing,
}

impl PaymentFlow {
    /// A new sale or refund by the logged-in `username`, at the amount screen.
    pub fn new(
        kind: TxnKind,
        config: TerminalConfig,
        username: String,
        timing: Timing,
    ) -> PaymentFlow {
        PaymentFlow {
            kind,
            config,
            username,
            dollars: 0,
            brand: None,
            auth_code: String::new(),
            step: PaymentStep::Amount,
            message: None,
            resumed: false,
            timing,
        }
    }

    /// Picks up a transaction the journal left in flight; `None` when nothing is owed.
    pub fn resume(
        config: TerminalConfig,
        decision: ResumeDecision,
        timing: Timing,
    ) -> Option<(PaymentFlow, Vec<Command>)> {
        let (record, step, commands) = match decision {
            ResumeDecision::Nothing => return None,
            ResumeDecision::SendReversal { record, reason } => {
                let in_flight = in_flight_of(&record);
                let commands = vec![
                    journal_state(&in_flight, JournalState::ReversalPending { reason }),
                    reversal(&in_flight, reason, 0),
                ];
                let step = PaymentStep::OutcomeUnknown {
                    in_flight,
                    reason,
                    attempts: 0,
                    acknowledged: false,
                };
                (record, step, commands)
            }
            ResumeDecision::ResumeSignature {
                record,
                transaction_id,
            } => {
                let commands = vec![Command::GetTransaction(transaction_id.clone())];
                let step = PaymentStep::FetchingTransaction {
                    in_flight: in_flight_of(&record),
                    transaction_id,
                };
                (record, step, commands)
            }
        };
        let message = match &step {
            PaymentStep::OutcomeUnknown { reason, .. } => Some(reversing_notice(*reason).into()),
            _ => None,
        };
        let flow = PaymentFlow {
            kind: record.kind,
            config,
            username: record.username.clone(),
            dollars: record.amount.minor / 100,
            brand: Some(record.brand),
            auth_code: String::new(),
            step,
            message,
            resumed: true,
            timing,
        };
        Some((flow, commands))
    }

    /// Sale or refund.
    pub fn kind(&self) -> TxnKind {
        self.kind
    }

    /// The current step.
    pub fn step(&self) -> &PaymentStep {
        &self.step
    }

    /// The message to show, if any.
    pub fn message(&self) -> Option<&UserMessage> {
        match &self.step {
            PaymentStep::Receipt(receipt) => receipt.message(),
            _ => self.message.as_ref(),
        }
    }

    /// Whole dollars entered.
    pub fn dollars(&self) -> u64 {
        self.dollars
    }

    /// Brand chosen.
    pub fn brand(&self) -> Option<Brand> {
        self.brand
    }

    /// The amount as money, when it is valid.
    pub fn amount(&self) -> Option<Money> {
        Money::twd_dollars(self.dollars).filter(|money| !money.is_zero())
    }

    /// Brands the merchant accepts, in the order of the terminal settings.
    pub fn accepted_brands(&self) -> Vec<Brand> {
        self.config
            .brands
            .iter()
            .filter(|rule| rule.accepted)
            .map(|rule| rule.brand)
            .collect()
    }

    /// The original authorization code as typed (refunds).
    pub fn auth_code(&self) -> &str {
        &self.auth_code
    }

    /// Whether leaving now could lose money or a signature: the user must stay.
    pub fn is_critical(&self) -> bool {
        match &self.step {
            PaymentStep::Authorizing { .. }
            | PaymentStep::Completing { .. }
            | PaymentStep::FetchingTransaction { .. }
            | PaymentStep::Signature { .. } => true,
            PaymentStep::OutcomeUnknown { acknowledged, .. } => !acknowledged,
            PaymentStep::Receipt(receipt) => receipt.is_unsaved(),
            _ => false,
        }
    }

    /// Feeds one input; returns the commands to run.
    pub fn handle(&mut self, input: PaymentInput) -> Vec<Command> {
        let step = std::mem::replace(&mut self.step, PaymentStep::Amount);
        let (step, commands) = self.next(step, input);
        self.step = step;
        commands
    }

    fn next(&mut self, step: PaymentStep, input: PaymentInput) -> (PaymentStep, Vec<Command>) {
        match step {
            PaymentStep::Amount => self.at_amount(input),
            PaymentStep::RefundAuthCode => self.at_auth_code(input),
            PaymentStep::PresentCard { chip, prompt } => self.at_present_card(chip, prompt, input),
            PaymentStep::PinEntry(entry) => self.at_pin_entry(entry, input),
            PaymentStep::WrongPin { transaction } => match input {
                PaymentInput::RetryPin => {
                    let step = self.present_card_again(Notice::PresentCardForPinRetry);
                    (step, vec![Command::StartReader(self.reader_request())])
                }
                PaymentInput::Back | PaymentInput::Cancel => {
                    (PaymentStep::Exit(PaymentExit::Home(None)), Vec::new())
                }
                _ => (PaymentStep::WrongPin { transaction }, Vec::new()),
            },
            PaymentStep::Authorizing { in_flight, request } => {
                self.at_authorizing(in_flight, request, input)
            }
            PaymentStep::Completing {
                in_flight,
                response,
            } => self.at_completing(in_flight, response, input),
            PaymentStep::OutcomeUnknown {
                in_flight,
                reason,
                attempts,
                acknowledged,
            } => self.at_outcome_unknown(in_flight, reason, attempts, acknowledged, input),
            PaymentStep::Declined { transaction } => match input {
                PaymentInput::Back => self.back_to_amount(),
                PaymentInput::Cancel => (PaymentStep::Exit(PaymentExit::Home(None)), Vec::new()),
                _ => (PaymentStep::Declined { transaction }, Vec::new()),
            },
            PaymentStep::FetchingTransaction {
                in_flight,
                transaction_id,
            } => self.at_fetching(in_flight, transaction_id, input),
            PaymentStep::Signature {
                transaction,
                idempotency_key,
                strokes,
                unsaved,
            } => self.at_signature(transaction, idempotency_key, strokes, unsaved, input),
            PaymentStep::Receipt(mut receipt) => {
                let commands = match input {
                    PaymentInput::SendReceipt { destination } => receipt.send(destination),
                    PaymentInput::Reply(reply) => receipt.on_reply(&reply),
                    PaymentInput::FinishReceipt | PaymentInput::Back | PaymentInput::Cancel => {
                        match receipt.leave() {
                            Ok(()) => {
                                return (PaymentStep::Exit(PaymentExit::Home(None)), Vec::new())
                            }
                            Err(retry) => retry,
                        }
                    }
                    _ => Vec::new(),
                };
                (PaymentStep::Receipt(receipt), commands)
            }
            PaymentStep::Exit(exit) => (PaymentStep::Exit(exit), Vec::new()),
        }
    }

    fn at_amount(&mut self, input: PaymentInput) -> (PaymentStep, Vec<Command>) {
        let stay = PaymentStep::Amount;
        match input {
            PaymentInput::EnterAmount { dollars } => {
                self.dollars = dollars;
                self.message = None;
                (stay, Vec::new())
            }
            PaymentInput::ChooseBrand { brand } => {
                if self.brand_accepted(brand) {
                    self.brand = Some(brand);
                    self.message = None;
                } else {
                    self.message = Some(ErrorCode::BrandNotAccepted.into());
                }
                (stay, Vec::new())
            }
            PaymentInput::Proceed {
                kind,
                reader_connected,
            } if kind == self.kind => {
                if let Err(message) = self.check_amount_and_brand() {
                    self.message = Some(message);
                    return (stay, Vec::new());
                }
                match self.kind {
                    TxnKind::Refund => {
                        self.message = None;
                        (PaymentStep::RefundAuthCode, Vec::new())
                    }
                    TxnKind::Sale => self.enter_present_card(reader_connected, stay),
                }
            }
            PaymentInput::Back | PaymentInput::Cancel => {
                (PaymentStep::Exit(PaymentExit::Home(None)), Vec::new())
            }
            _ => (stay, Vec::new()),
        }
    }

    fn at_auth_code(&mut self, input: PaymentInput) -> (PaymentStep, Vec<Command>) {
        let stay = PaymentStep::RefundAuthCode;
        match input {
            PaymentInput::EnterAuthCode { code } => {
                self.auth_code = code;
                self.message = None;
                (stay, Vec::new())
            }
            PaymentInput::ContinueRefund { reader_connected } => {
                match normalize_auth_code(&self.auth_code) {
                    Some(code) => {
                        self.auth_code = code;
                        self.enter_present_card(reader_connected, stay)
                    }
                    None => {
                        self.message = Some(Notice::AuthCodeInvalid.into());
                        (stay, Vec::new())
                    }
                }
            }
            PaymentInput::Back => {
                self.message = None;
                (PaymentStep::Amount, Vec::new())
            }
            PaymentInput::Cancel => (PaymentStep::Exit(PaymentExit::Home(None)), Vec::new()),
            _ => (stay, Vec::new()),
        }
    }

    fn at_present_card(
        &mut self,
        mut chip: ChipFirst,
        prompt: CardPrompt,
        input: PaymentInput,
    ) -> (PaymentStep, Vec<Command>) {
        let refund = self.kind == TxnKind::Refund;
        let (event, fresh_key) = match input {
            PaymentInput::Reader { event, fresh_key } => (event, fresh_key),
            PaymentInput::Reply(Reply::ReaderStarted(Err(error))) => {
                self.message = Some(reader_error_message(&error));
                return (PaymentStep::PresentCard { chip, prompt }, Vec::new());
            }
            PaymentInput::Back => {
                self.message = None;
                let back = if refund {
                    PaymentStep::RefundAuthCode
                } else {
                    PaymentStep::Amount
                };
                return (back, vec![Command::CancelReader]);
            }
            PaymentInput::Cancel => {
                return (
                    PaymentStep::Exit(PaymentExit::Home(None)),
                    vec![Command::CancelReader],
                )
            }
            _ => return (PaymentStep::PresentCard { chip, prompt }, Vec::new()),
        };
        let mut prompt = prompt;
        let commands = match event {
            ReaderEvent::ChipRead(card) if !refund => {
                return self.accept_card(card, fresh_key, chip, prompt)
            }
            ReaderEvent::CardSwiped(mut card) => {
                let verdict = if refund {
                    // Refunds are swipe only, so the stripe of a chip card is the normal read.
                    SwipeVerdict::Accept(EntryMode::Swipe)
                } else {
                    chip.judge_swipe(&card)
                };
                match verdict {
                    SwipeVerdict::Accept(entry_mode) => {
                        card.entry_mode = entry_mode;
                        return self.accept_card(card, fresh_key, chip, prompt);
                    }
                    SwipeVerdict::InsertChip => {
                        prompt = CardPrompt::InsertChip;
                        self.message = Some(ErrorCode::ChipRequired.into());
                        self.rearm()
                    }
                }
            }
            ReaderEvent::CardInserted if refund => {
                self.message = Some(ErrorCode::SwipeRequired.into());
                Vec::new()
            }
            ReaderEvent::ChipRead(_) => {
                self.message = Some(ErrorCode::SwipeRequired.into());
                self.rearm()
            }
            ReaderEvent::CardInserted => {
                self.message = None;
                Vec::new()
            }
            ReaderEvent::ChipReadFailed if !refund => {
                chip.chip_failed();
                if chip.fallback_allowed() {
                    prompt = CardPrompt::SwipeAfterChipFailure;
                    self.message = Some(Notice::SwipeAfterChipFailure.into());
                } else {
                    self.message = Some(Notice::ChipReadFailed.into());
                }
                Vec::new()
            }
            ReaderEvent::SwipeFailed => {
                self.message = Some(Notice::SwipeFailed.into());
                Vec::new()
            }
            // The reader applies chip first itself and keeps waiting for the chip.
            ReaderEvent::InsertChip if !refund && !chip.fallback_allowed() => {
                prompt = CardPrompt::InsertChip;
                self.message = Some(ErrorCode::ChipRequired.into());
                Vec::new()
            }
            ReaderEvent::Disconnected => {
                self.message = Some(Notice::ReaderDisconnected.into());
                Vec::new()
            }
            ReaderEvent::Connected(_) => {
                self.message = None;
                vec![Command::StartReader(self.reader_request())]
            }
            ReaderEvent::ChipReadFailed
            | ReaderEvent::CardRemoved
            | ReaderEvent::InsertChip
            | ReaderEvent::PinPad(_)
            | ReaderEvent::PinEntered(_)
            | ReaderEvent::PinEntryFailed
            | ReaderEvent::OnlineResultAnswered(_) => Vec::new(),
        };
        (PaymentStep::PresentCard { chip, prompt }, commands)
    }

    fn accept_card(
        &mut self,
        card: CardPayload,
        idempotency_key: String,
        chip: ChipFirst,
        prompt: CardPrompt,
    ) -> (PaymentStep, Vec<Command>) {
        let (Some(amount), Some(brand)) = (self.amount(), self.brand) else {
            return (PaymentStep::Amount, vec![Command::CancelReader]);
        };
        if card.brand != brand {
            self.message = Some(ErrorCode::BrandMismatch.into());
            return (PaymentStep::PresentCard { chip, prompt }, self.rearm());
        }
        if self.kind == TxnKind::Sale && self.config.requires_pin(brand, amount) {
            // The reader draws the keypad; the PIN block it returns is bound to this read.
            self.message = Some(Notice::EnterPin.into());
            let entry = PinEntry {
                card,
                idempotency_key,
                layout: None,
                keys: Vec::new(),
                touches: 0,
                sent: false,
            };
            let idle = self.pin_idle_timer(&entry);
            return (
                PaymentStep::PinEntry(entry),
                vec![Command::RequestPin, idle],
            );
        }
        self.message = None;
        self.authorize(card, None, idempotency_key)
    }

    fn at_pin_entry(
        &mut self,
        mut entry: PinEntry,
        input: PaymentInput,
    ) -> (PaymentStep, Vec<Command>) {
        let mut commands = Vec::new();
        match input {
            PaymentInput::Reader {
                event: ReaderEvent::PinPad(layout),
                ..
            } if !entry.sent => {
                entry.layout = Some(layout);
                entry.keys.clear();
            }
            PaymentInput::Reader {
                event: ReaderEvent::PinEntered(pin),
                ..
            } if entry.sent => {
                self.message = None;
                return self.authorize(entry.card, Some(pin), entry.idempotency_key);
            }
            PaymentInput::Reader {
                event: ReaderEvent::Disconnected,
                ..
            } => {
                return (
                    self.present_card_again(Notice::ReaderDisconnected),
                    Vec::new(),
                );
            }
            PaymentInput::Reply(Reply::PinCommandSent(Err(_)))
            | PaymentInput::Reader {
                event: ReaderEvent::PinEntryFailed,
                ..
            } => {
                // The reader lost the PIN entry: read the card again.
                let step = self.present_card_again(Notice::PresentCardForPinRetry);
                return (step, self.rearm());
            }
            PaymentInput::Timer(Timer::PinEntry {
                idempotency_key,
                touches,
            }) if idempotency_key == entry.idempotency_key
                && touches == entry.touches
                && !entry.sent =>
            {
                // Nothing was sent, so nothing can be charged: the reader's
                // pad is closed and a new read starts a new entry.
                let step = self.present_card_again(Notice::PinEntryTimedOut);
                return (step, self.rearm());
            }
            PaymentInput::PinKey { key } => {
                let usable = entry.layout.is_some() && !entry.sent;
                if usable && usize::from(key) < 10 && entry.keys.len() < MAX_PIN_KEYS {
                    entry.keys.push(key);
                    entry.touches = entry.touches.wrapping_add(1);
                    self.message = None;
                    commands.push(self.pin_idle_timer(&entry));
                }
            }
            PaymentInput::ClearPin if !entry.sent => {
                entry.keys.clear();
                entry.touches = entry.touches.wrapping_add(1);
                commands.push(self.pin_idle_timer(&entry));
            }
            PaymentInput::ConfirmPin if entry.layout.is_some() && !entry.sent => {
                if entry.keys.len() < MIN_PIN_KEYS {
                    self.message = Some(Notice::PinTooShort.into());
                } else {
                    entry.sent = true;
                    commands.push(Command::EnterPin(std::mem::take(&mut entry.keys)));
                }
            }
            PaymentInput::Back | PaymentInput::Cancel => {
                self.message = None;
                return (
                    PaymentStep::Exit(PaymentExit::Home(None)),
                    vec![Command::CancelReader],
                );
            }
            _ => {}
        }
        (PaymentStep::PinEntry(entry), commands)
    }

    /// Back to presenting the card, from the first prompt, telling the
    /// cashier why with `notice`.
    fn present_card_again(&mut self, notice: Notice) -> PaymentStep {
        self.message = Some(notice.into());
        PaymentStep::PresentCard {
            chip: ChipFirst::new(),
            prompt: self.first_prompt(),
        }
    }

    /// The wait after which an untouched PIN pad is closed; each touch
    /// starts a new one and so outdates the one before.
    fn pin_idle_timer(&self, entry: &PinEntry) -> Command {
        Command::StartTimer {
            timer: Timer::PinEntry {
                idempotency_key: entry.idempotency_key.clone(),
                touches: entry.touches,
            },
            after_ms: self.timing.pin_entry_idle_ms,
        }
    }

    /// Journals the request, then sends it (the PIN block with a sale that needed one).
    fn authorize(
        &mut self,
        card: CardPayload,
        pin: Option<PinBlockPayload>,
        idempotency_key: String,
    ) -> (PaymentStep, Vec<Command>) {
        let (Some(amount), Some(brand)) = (self.amount(), self.brand) else {
            return (PaymentStep::Amount, vec![Command::CancelReader]);
        };
        let in_flight = InFlight {
            idempotency_key,
            amount,
            brand,
            masked_pan: card.masked_pan.clone(),
        };
        let request = match self.kind {
            TxnKind::Sale => AuthorizeRequest::Sale(SaleRequest {
                amount,
                brand,
                card,
                pin,
            }),
            TxnKind::Refund => AuthorizeRequest::Refund(RefundRequest {
                amount,
                brand,
                original_auth_code: self.auth_code.clone(),
                card,
            }),
        };
        // The journal is written first; the request leaves only once it is on disk.
        let begin = Command::Journal(JournalUpdate::Begin(InFlightRecord {
            kind: self.kind,
            idempotency_key: in_flight.idempotency_key.clone(),
            username: self.username.clone(),
            amount,
            brand,
            masked_pan: in_flight.masked_pan.clone(),
            state: JournalState::Authorizing,
        }));
        let step = PaymentStep::Authorizing {
            in_flight,
            request: Some(request),
        };
        (step, vec![begin])
    }

    fn at_authorizing(
        &mut self,
        in_flight: InFlight,
        request: Option<AuthorizeRequest>,
        input: PaymentInput,
    ) -> (PaymentStep, Vec<Command>) {
        let PaymentInput::Reply(reply) = input else {
            return (PaymentStep::Authorizing { in_flight, request }, Vec::new());
        };
        match (reply, request) {
            (Reply::JournalWritten(Ok(())), Some(request)) => {
                let command = Command::Authorize {
                    idempotency_key: in_flight.idempotency_key.clone(),
                    request,
                };
                (
                    PaymentStep::Authorizing {
                        in_flight,
                        request: None,
                    },
                    vec![command],
                )
            }
            (Reply::JournalWritten(Err(_)), Some(_)) => {
                // Without a journal a lost answer could not be reversed after a
                // crash, so no money request leaves the phone.
                self.message = Some(Notice::JournalUnavailable.into());
                (PaymentStep::Amount, vec![Command::CancelReader])
            }
            (Reply::Authorized(Ok(response)), None) => self.on_authorized(in_flight, response),
            (Reply::Authorized(Err(error)), None) => self.on_authorize_failed(in_flight, error),
            (_, request) => (PaymentStep::Authorizing { in_flight, request }, Vec::new()),
        }
    }

    fn on_authorized(
        &mut self,
        in_flight: InFlight,
        response: AuthorizationResponse,
    ) -> (PaymentStep, Vec<Command>) {
        let transaction = response.transaction;
        // An answer about another amount or kind is not an answer to this request.
        if transaction.amount != in_flight.amount || transaction.kind != self.kind {
            return self.outcome_unknown(in_flight, ReversalReason::MalformedResponse);
        }
        let online_result = |approved: bool| {
            Command::ReaderOnlineResult(OnlineResult {
                approved,
                auth_code: transaction.auth_code.clone(),
                response_code: transaction.response_code.clone(),
                issuer_authentication: response.issuer_authentication.clone(),
            })
        };
        match transaction.status {
            TxnStatus::Approved => {
                // Nothing is journaled yet: until the reader took the approval,
                // a crash must still reverse (the row says `authorizing`).
                self.message = None;
                let commands = vec![online_result(true)];
                let response = AuthorizationResponse {
                    transaction,
                    signature_required: response.signature_required,
                    // The ARPC is for the card only.
                    issuer_authentication: None,
                };
                let step = PaymentStep::Completing {
                    in_flight,
                    response,
                };
                (step, commands)
            }
            TxnStatus::Declined => {
                let commands = vec![
                    online_result(false),
                    journal_state(&in_flight, JournalState::Done),
                ];
                match transaction.response_code.as_str() {
                    WRONG_PIN => {
                        self.message = Some(Notice::WrongPin.into());
                        (PaymentStep::WrongPin { transaction }, commands)
                    }
                    PIN_TRIES_EXCEEDED => {
                        self.message = Some(Notice::PinTriesExceeded.into());
                        (PaymentStep::Declined { transaction }, commands)
                    }
                    _ => {
                        self.message = Some(Notice::Declined.into());
                        (PaymentStep::Declined { transaction }, commands)
                    }
                }
            }
            TxnStatus::Pending | TxnStatus::Voided | TxnStatus::Reversed => {
                self.outcome_unknown(in_flight, ReversalReason::MalformedResponse)
            }
        }
    }

    fn at_completing(
        &mut self,
        in_flight: InFlight,
        response: AuthorizationResponse,
        input: PaymentInput,
    ) -> (PaymentStep, Vec<Command>) {
        let verdict = match input {
            PaymentInput::Reply(Reply::OnlineResultSent(Ok(()))) => {
                // The card answers later; it gets a bounded wait.
                let timer = Command::StartTimer {
                    timer: Timer::CardVerdict {
                        idempotency_key: in_flight.idempotency_key.clone(),
                    },
                    after_ms: self.timing.card_verdict_ms,
                };
                let step = PaymentStep::Completing {
                    in_flight,
                    response,
                };
                return (step, vec![timer]);
            }
            PaymentInput::Reply(Reply::OnlineResultSent(Err(error))) => Err(error),
            PaymentInput::Reader {
                event: ReaderEvent::OnlineResultAnswered(verdict),
                ..
            } => verdict,
            PaymentInput::Timer(Timer::CardVerdict { idempotency_key })
                if idempotency_key == in_flight.idempotency_key =>
            {
                Err(ReaderError::Timeout)
            }
            _ => {
                let step = PaymentStep::Completing {
                    in_flight,
                    response,
                };
                return (step, Vec::new());
            }
        };
        match verdict {
            // A sale the card did not finish is not complete (EMV: the card
            // may have answered the approval with a decline): reverse it.
            // A refund credits the card whatever the reader says.
            Err(_) if self.kind == TxnKind::Sale => {
                self.outcome_unknown(in_flight, ReversalReason::CardDeclinedAfterApproval)
            }
            _ => self.approved(in_flight, response),
        }
    }

    /// The approval is complete: journal it, then the signature or the receipt.
    fn approved(
        &mut self,
        in_flight: InFlight,
        response: AuthorizationResponse,
    ) -> (PaymentStep, Vec<Command>) {
        let transaction = response.transaction;
        // The gateway may ask for a signature the terminal rules would
        // skip; collecting one more signature is never wrong.
        let signature = response.signature_required
            || self
                .config
                .requires_signature(in_flight.brand, in_flight.amount);
        self.message = None;
        if signature {
            let (write, command) = JournalWrite::start(JournalUpdate::SetState {
                idempotency_key: in_flight.idempotency_key.clone(),
                state: JournalState::AwaitingSignature {
                    transaction_id: transaction.id.clone(),
                },
            });
            let step = PaymentStep::Signature {
                transaction,
                idempotency_key: in_flight.idempotency_key,
                strokes: Vec::new(),
                unsaved: Some(write),
            };
            (step, vec![command])
        } else {
            let (receipt, command) =
                ReceiptFlow::saving(transaction, done(&in_flight.idempotency_key));
            (PaymentStep::Receipt(receipt), vec![command])
        }
    }

    fn on_authorize_failed(
        &mut self,
        in_flight: InFlight,
        error: HostError,
    ) -> (PaymentStep, Vec<Command>) {
        if error.outcome_unknown() {
            let reason = match error {
                HostError::Malformed(_) => ReversalReason::MalformedResponse,
                _ => ReversalReason::Timeout,
            };
            return self.outcome_unknown(in_flight, reason);
        }
        // A typed refusal or a failed handshake: nothing was charged.
        let mut commands = vec![
            journal_state(&in_flight, JournalState::Done),
            Command::CancelReader,
        ];
        let message = error.user_message();
        if error.ends_session() {
            return (
                PaymentStep::Exit(PaymentExit::Login {
                    message,
                    unfinished: None,
                }),
                commands,
            );
        }
        self.message = Some(message);
        let step = match error.api_code() {
            Some(
                code @ (ErrorCode::ChipRequired
                | ErrorCode::SwipeRequired
                | ErrorCode::CardDataInvalid
                | ErrorCode::CardMismatch
                | ErrorCode::KsnReused
                | ErrorCode::AlreadyReversed
                | ErrorCode::IdempotencyConflict),
            ) => {
                commands.push(Command::StartReader(self.reader_request()));
                let prompt = if code == ErrorCode::ChipRequired {
                    CardPrompt::InsertChip
                } else {
                    self.first_prompt()
                };
                PaymentStep::PresentCard {
                    chip: ChipFirst::new(),
                    prompt,
                }
            }
            Some(ErrorCode::OriginalNotFound) if self.kind == TxnKind::Refund => {
                PaymentStep::RefundAuthCode
            }
            _ => PaymentStep::Amount,
        };
        (step, commands)
    }

    fn outcome_unknown(
        &mut self,
        in_flight: InFlight,
        reason: ReversalReason,
    ) -> (PaymentStep, Vec<Command>) {
        self.message = Some(reversing_notice(reason).into());
        let commands = vec![
            journal_state(&in_flight, JournalState::ReversalPending { reason }),
            reversal(&in_flight, reason, 0),
            Command::CancelReader,
        ];
        let step = PaymentStep::OutcomeUnknown {
            in_flight,
            reason,
            attempts: 0,
            acknowledged: false,
        };
        (step, commands)
    }

    fn at_outcome_unknown(
        &mut self,
        in_flight: InFlight,
        reason: ReversalReason,
        attempts: u32,
        acknowledged: bool,
        input: PaymentInput,
    ) -> (PaymentStep, Vec<Command>) {
        let stay = |attempts, acknowledged| PaymentStep::OutcomeUnknown {
            in_flight: in_flight.clone(),
            reason,
            attempts,
            acknowledged,
        };
        match input {
            PaymentInput::Reply(Reply::Reversed(result)) if !acknowledged => match result {
                Ok(response) if response.acknowledged => {
                    self.message = Some(Notice::NotCharged.into());
                    (
                        stay(attempts, true),
                        vec![journal_state(&in_flight, JournalState::Done)],
                    )
                }
                Err(error) if error.ends_session() => {
                    let message = if error.api_code() == Some(ErrorCode::AccountDisabled) {
                        // Logging in again as this user cannot work; another user's login sends it.
                        error.user_message()
                    } else {
                        Notice::ReversalNeedsLogin.into()
                    };
                    let exit = PaymentExit::Login {
                        message,
                        unfinished: Some(self.reversal_owed(&in_flight, reason)),
                    };
                    (PaymentStep::Exit(exit), Vec::new())
                }
                Err(error)
                    if matches!(
                        error.api_code(),
                        Some(
                            ErrorCode::AlreadySettled
                                | ErrorCode::HasRefunds
                                | ErrorCode::ReversalWindowPassed
                        )
                    ) =>
                {
                    // The original was approved and can no longer be reversed:
                    // the outcome is known, and it is "charged".
                    let too_late = error.api_code() == Some(ErrorCode::ReversalWindowPassed);
                    let notice = match (self.kind, too_late) {
                        (TxnKind::Sale, false) => Notice::ReversalRefusedCharged,
                        (TxnKind::Refund, false) => Notice::ReversalRefusedRefunded,
                        (TxnKind::Sale, true) => Notice::ReversalTooLateCharged,
                        (TxnKind::Refund, true) => Notice::ReversalTooLateRefunded,
                    };
                    self.message = None;
                    let exit = PaymentExit::Home(Some(notice.into()));
                    (
                        PaymentStep::Exit(exit),
                        vec![journal_state(&in_flight, JournalState::Done)],
                    )
                }
                Err(error) if !error.worth_retrying() => {
                    // The same refusal would come back at once: stop, keep
                    // the journal's reversal_pending, send again after the next login.
                    let exit = PaymentExit::Postponed {
                        message: error.user_message(),
                        unfinished: self.reversal_owed(&in_flight, reason),
                    };
                    (PaymentStep::Exit(exit), Vec::new())
                }
                _ => {
                    // Until acknowledged the outcome stays unknown: try
                    // again, waiting longer after each failure.
                    let attempts = attempts.saturating_add(1);
                    let wait = Command::StartTimer {
                        timer: Timer::ReversalRetry {
                            idempotency_key: in_flight.idempotency_key.clone(),
                        },
                        after_ms: self.timing.reversal_retry.delay_ms(attempts),
                    };
                    (stay(attempts, false), vec![wait])
                }
            },
            PaymentInput::Timer(Timer::ReversalRetry { idempotency_key })
                if !acknowledged && idempotency_key == in_flight.idempotency_key =>
            {
                (
                    stay(attempts, false),
                    vec![reversal(&in_flight, reason, attempts)],
                )
            }
            PaymentInput::Back if acknowledged && !self.resumed => self.back_to_amount(),
            PaymentInput::Back | PaymentInput::Cancel if acknowledged => {
                (PaymentStep::Exit(PaymentExit::Home(None)), Vec::new())
            }
            _ => (stay(attempts, acknowledged), Vec::new()),
        }
    }

    fn at_fetching(
        &mut self,
        in_flight: InFlight,
        transaction_id: String,
        input: PaymentInput,
    ) -> (PaymentStep, Vec<Command>) {
        match input {
            PaymentInput::Reply(Reply::Transaction(Ok(transaction))) => {
                let waiting = transaction.status == TxnStatus::Approved && !transaction.signed;
                if waiting {
                    // The journal already says awaiting_signature.
                    let step = PaymentStep::Signature {
                        transaction,
                        idempotency_key: in_flight.idempotency_key,
                        strokes: Vec::new(),
                        unsaved: None,
                    };
                    return (step, Vec::new());
                }
                if transaction.status == TxnStatus::Approved {
                    let (receipt, command) =
                        ReceiptFlow::saving(transaction, done(&in_flight.idempotency_key));
                    (PaymentStep::Receipt(receipt), vec![command])
                } else {
                    let exit = PaymentExit::Home(Some(Notice::SignatureNoLongerNeeded.into()));
                    (
                        PaymentStep::Exit(exit),
                        vec![journal_state(&in_flight, JournalState::Done)],
                    )
                }
            }
            PaymentInput::Reply(Reply::Transaction(Err(error))) => {
                let unfinished = ResumeDecision::ResumeSignature {
                    record: self.record_of(
                        &in_flight,
                        JournalState::AwaitingSignature {
                            transaction_id: transaction_id.clone(),
                        },
                    ),
                    transaction_id,
                };
                let message = if error.ends_session() {
                    Notice::SignatureNeedsLogin.into()
                } else {
                    error.user_message()
                };
                let exit = PaymentExit::Login {
                    message,
                    unfinished: Some(unfinished),
                };
                (PaymentStep::Exit(exit), Vec::new())
            }
            _ => (
                PaymentStep::FetchingTransaction {
                    in_flight,
                    transaction_id,
                },
                Vec::new(),
            ),
        }
    }

    fn at_signature(
        &mut self,
        transaction: TransactionSummary,
        idempotency_key: String,
        mut strokes: Vec<Stroke>,
        mut unsaved: Option<JournalWrite>,
        input: PaymentInput,
    ) -> (PaymentStep, Vec<Command>) {
        let mut commands = Vec::new();
        match input {
            PaymentInput::AddStroke { points } if !points.is_empty() => {
                strokes.push(Stroke { points });
                if unsaved.is_none() {
                    self.message = None;
                }
            }
            PaymentInput::ClearSignature => strokes.clear(),
            PaymentInput::ConfirmSignature => {
                if let Some(write) = &mut unsaved {
                    // Leaving before awaiting_signature is on disk would let a
                    // crash reverse this approved payment.
                    self.message = Some(Notice::JournalNotSaved.into());
                    commands.push(write.retry());
                } else if strokes.iter().any(|stroke| stroke.points.len() >= 2) {
                    self.message = None;
                    commands.push(Command::UploadSignature {
                        transaction_id: transaction.id.clone(),
                        request: SignatureRequest {
                            strokes: strokes.clone(),
                        },
                    });
                } else {
                    self.message = Some(Notice::SignatureRequired.into());
                }
            }
            PaymentInput::Reply(Reply::JournalWritten(Ok(()))) if unsaved.is_some() => {
                unsaved = None;
                self.message = None;
            }
            PaymentInput::Reply(Reply::JournalWritten(Err(_))) => {
                if let Some(write) = &mut unsaved {
                    self.message = Some(Notice::JournalNotSaved.into());
                    commands.extend(write.failed());
                }
            }
            PaymentInput::Reply(Reply::SignatureUploaded(Ok(signed))) => {
                // The gateway's copy is newer (it is now signed), if it is this transaction.
                let shown = if signed.id == transaction.id {
                    signed
                } else {
                    transaction
                };
                let (receipt, command) = ReceiptFlow::saving(shown, done(&idempotency_key));
                return (PaymentStep::Receipt(receipt), vec![command]);
            }
            PaymentInput::Reply(Reply::SignatureUploaded(Err(error))) => {
                if error.ends_session() {
                    let unfinished = ResumeDecision::ResumeSignature {
                        record: InFlightRecord {
                            kind: self.kind,
                            idempotency_key,
                            username: self.username.clone(),
                            amount: transaction.amount,
                            brand: transaction.brand,
                            masked_pan: transaction.masked_pan.clone(),
                            state: JournalState::AwaitingSignature {
                                transaction_id: transaction.id.clone(),
                            },
                        },
                        transaction_id: transaction.id,
                    };
                    let exit = PaymentExit::Login {
                        message: Notice::SignatureNeedsLogin.into(),
                        unfinished: Some(unfinished),
                    };
                    return (PaymentStep::Exit(exit), Vec::new());
                }
                self.message = Some(error.user_message());
            }
            // Approved money is owed a signature: no way back from here.
            _ => {}
        }
        let step = PaymentStep::Signature {
            transaction,
            idempotency_key,
            strokes,
            unsaved,
        };
        (step, commands)
    }

    fn enter_present_card(
        &mut self,
        reader_connected: bool,
        stay: PaymentStep,
    ) -> (PaymentStep, Vec<Command>) {
        if !reader_connected {
            self.message = Some(Notice::ReaderNotConnected.into());
            return (stay, Vec::new());
        }
        self.message = None;
        let step = PaymentStep::PresentCard {
            chip: ChipFirst::new(),
            prompt: self.first_prompt(),
        };
        (step, vec![Command::StartReader(self.reader_request())])
    }

    /// The reversal still owed, as the journal holds it.
    fn reversal_owed(&self, in_flight: &InFlight, reason: ReversalReason) -> ResumeDecision {
        ResumeDecision::SendReversal {
            record: self.record_of(in_flight, JournalState::ReversalPending { reason }),
            reason,
        }
    }

    fn record_of(&self, in_flight: &InFlight, state: JournalState) -> InFlightRecord {
        InFlightRecord {
            kind: self.kind,
            idempotency_key: in_flight.idempotency_key.clone(),
            username: self.username.clone(),
            amount: in_flight.amount,
            brand: in_flight.brand,
            masked_pan: in_flight.masked_pan.clone(),
            state,
        }
    }

    fn back_to_amount(&mut self) -> (PaymentStep, Vec<Command>) {
        self.message = None;
        (PaymentStep::Amount, Vec::new())
    }

    fn first_prompt(&self) -> CardPrompt {
        match self.kind {
            TxnKind::Sale => CardPrompt::InsertOrSwipe,
            TxnKind::Refund => CardPrompt::SwipeOnly,
        }
    }

    fn rearm(&self) -> Vec<Command> {
        // The reader finished its read; start a fresh one for the next card.
        vec![
            Command::CancelReader,
            Command::StartReader(self.reader_request()),
        ]
    }

    fn reader_request(&self) -> ReaderRequest {
        ReaderRequest {
            amount: self.amount().unwrap_or(Money::twd_minor(0)),
            kind: self.kind,
            chip_allowed: self.kind == TxnKind::Sale,
            swipe_allowed: true,
        }
    }

    fn brand_accepted(&self, brand: Brand) -> bool {
        self.config
            .brand_rule(brand)
            .is_some_and(|rule| rule.accepted)
    }

    fn check_amount_and_brand(&self) -> Result<(), UserMessage> {
        if self.dollars == 0 {
            return Err(Notice::AmountRequired.into());
        }
        if Money::twd_dollars(self.dollars).is_none() {
            return Err(Notice::AmountTooLarge.into());
        }
        match self.brand {
            None => Err(Notice::BrandRequired.into()),
            Some(brand) if !self.brand_accepted(brand) => Err(ErrorCode::BrandNotAccepted.into()),
            Some(_) => Ok(()),
        }
    }
}

fn in_flight_of(record: &InFlightRecord) -> InFlight {
    InFlight {
        idempotency_key: record.idempotency_key.clone(),
        amount: record.amount,
        brand: record.brand,
        masked_pan: record.masked_pan.clone(),
    }
}

fn done(idempotency_key: &str) -> JournalUpdate {
    JournalUpdate::SetState {
        idempotency_key: idempotency_key.to_string(),
        state: JournalState::Done,
    }
}

/// What the screen says while a reversal is sent.
fn reversing_notice(reason: ReversalReason) -> Notice {
    match reason {
        ReversalReason::CardDeclinedAfterApproval => Notice::ReaderRefusedApproval,
        _ => Notice::OutcomeUnknown,
    }
}

fn journal_state(in_flight: &InFlight, state: JournalState) -> Command {
    Command::Journal(JournalUpdate::SetState {
        idempotency_key: in_flight.idempotency_key.clone(),
        state,
    })
}

fn reversal(in_flight: &InFlight, reason: ReversalReason, attempt: u32) -> Command {
    Command::SendReversal {
        request: ReversalRequest {
            original_idempotency_key: in_flight.idempotency_key.clone(),
            reason,
        },
        attempt,
    }
}

fn reader_error_message(error: &ReaderError) -> UserMessage {
    match error {
        ReaderError::Busy => Notice::ReaderBusy.into(),
        ReaderError::NotConnected | ReaderError::Timeout => Notice::ReaderNotConnected.into(),
        ReaderError::CardDeclined => Notice::ReaderRefusedApproval.into(),
        ReaderError::Refused => Notice::PresentCardForPinRetry.into(),
    }
}

#[cfg(test)]
#[path = "payment_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "payment_pin_tests.rs"]
mod pin_tests;
