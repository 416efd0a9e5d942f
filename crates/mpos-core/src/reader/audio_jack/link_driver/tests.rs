use super::*;
use mpos_link::channel::{Channel, ChannelConfig};
use mpos_link::message::LinkSettings;
use mpos_link::message::{self, CardData, TransactionDone};
use mpos_link::phy::DEFAULT_UPLINK;
use mpos_wire::api::TxnKind;
use mpos_wire::{Brand, EntryMode, MaskedPan, Money};

const RATE: u32 = 48_000;
const BLOCK: usize = 480;

/// The driver, a scripted reader station, and the audio between them.
struct Bench {
    driver: LinkDriver,
    reader: Option<Station>,
    down: Channel,
    up: Channel,
    up_queue: VecDeque<f32>,
    received: Vec<Message>,
    outcome: TransactionOutcome,
    seen: Vec<ReaderEvent>,
    elapsed: u64,
}

fn reader_station() -> Station {
    Station::reader(
        RATE,
        LinkSettings {
            rate: DEFAULT_UPLINK.0,
            level: DEFAULT_UPLINK.1,
        },
    )
    .unwrap()
}

fn info() -> Message {
    Message::Info(message::ReaderInfo {
        serial: "SIM-00000001".into(),
        firmware: "test".into(),
        battery_percent: Some(90),
        ksn: vec![0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0, 0, 0, 1],
    })
}

impl Bench {
    fn new() -> Bench {
        let mic = ChannelConfig {
            highpass_hz: Some(300.0),
            invert: true,
            seed: 5,
            ..ChannelConfig::default()
        }
        .with_snr(0.125, 30.0);
        Bench {
            driver: LinkDriver::new(RATE, "Test Phone").unwrap(),
            reader: Some(reader_station()),
            down: Channel::new(RATE, ChannelConfig::default()),
            up: Channel::new(RATE, mic),
            up_queue: VecDeque::new(),
            received: Vec::new(),
            outcome: TransactionOutcome::Approved,
            seen: Vec::new(),
            elapsed: 0,
        }
    }

    /// One 10 ms block both ways; the scripted reader answers what it hears.
    fn step(&mut self) {
        let input: Vec<f32> = (0..BLOCK)
            .map(|_| self.up_queue.pop_front().unwrap_or(0.0))
            .collect();
        let mut output = vec![0.0; BLOCK];
        self.driver.process(&input, &mut output);
        self.elapsed += BLOCK as u64;
        while let Some(event) = self.driver.poll_event() {
            self.seen.push(event);
        }
        let Some(reader) = &mut self.reader else {
            return;
        };
        let mut heard = Vec::new();
        self.down.process(&output, &mut heard);
        let mut said = vec![0.0; heard.len()];
        reader.process(&heard, &mut said);
        while let Some(event) = reader.poll_event() {
            if let StationEvent::Received { message, .. } = event {
                let answer = match &message {
                    Message::GetInfo => Some(info()),
                    Message::OnlineResult(_) => Some(Message::TransactionDone(TransactionDone {
                        outcome: self.outcome,
                        emv_tlv: Vec::new(),
                    })),
                    _ => None,
                };
                if let Some(answer) = answer {
                    reader.send(&answer).unwrap();
                }
                self.received.push(message);
            }
        }
        let mut up = Vec::new();
        self.up.process(&said, &mut up);
        self.up_queue.extend(up);
    }

    /// Steps until `done` or `seconds` of audio; returns whether `done` was reached.
    fn run_until(&mut self, seconds: u64, done: impl Fn(&Bench) -> bool) -> bool {
        let stop = self.elapsed + seconds * u64::from(RATE);
        while self.elapsed < stop {
            self.step();
            if done(self) {
                return true;
            }
        }
        false
    }

    fn connect(&mut self) {
        let connected = self.run_until(15, |b| {
            b.seen
                .iter()
                .any(|e| matches!(e, ReaderEvent::Connected(_)))
        });
        assert!(connected, "no connection: {:?}", self.driver.state());
    }

    fn reader_says(&mut self, message: Message) {
        self.reader.as_mut().unwrap().send(&message).unwrap();
    }
}

fn sale() -> ReaderRequest {
    ReaderRequest {
        amount: Money::twd_minor(48_000),
        kind: TxnKind::Sale,
        chip_allowed: true,
        swipe_allowed: true,
    }
}

fn approval() -> OnlineResult {
    OnlineResult {
        approved: true,
        auth_code: Some("123456".into()),
        response_code: "00".into(),
        issuer_authentication: None,
    }
}

#[test]
fn the_reader_is_configured_identified_and_remembered() {
    let mut bench = Bench::new();
    assert_eq!(bench.driver.info(), None);
    assert_eq!(
        bench.driver.start_transaction(sale()),
        Err(ReaderError::NotConnected)
    );
    bench.connect();
    let seconds = bench.elapsed as f64 / f64::from(RATE);
    assert!(seconds <= 10.0, "auto-configuration took {seconds} s");
    let info = bench.driver.info().cloned().expect("connected");
    assert_eq!(info.ksn, "123456789012345600000001");
    assert_eq!(bench.seen, vec![ReaderEvent::Connected(info)]);
    let profile = bench
        .driver
        .profile()
        .cloned()
        .expect("a profile was learned");
    assert_eq!(profile.phone_model, "Test Phone");

    // Next time the phone starts from the profile: one SetLink exchange, faster.
    let mut again = Bench::new();
    again.driver.remember(profile.clone());
    again.connect();
    assert!(
        again.elapsed < bench.elapsed,
        "with a profile {} samples, without {}",
        again.elapsed,
        bench.elapsed
    );
    assert!(again
        .received
        .iter()
        .all(|m| !matches!(m, Message::LinkProbe(_))));
    // A profile of another model is not used.
    let mut other = Bench::new();
    other.driver.remember(LinkProfile {
        phone_model: "Another".into(),
        ..profile
    });
    assert_eq!(other.driver.profile(), None);
}

#[test]
fn card_messages_reach_the_app_only_while_connected() {
    let mut bench = Bench::new();
    bench.connect();
    bench.seen.clear();
    bench.reader_says(Message::CardInserted);
    bench.reader_says(Message::CardRead(CardData {
        masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
        brand: Brand::Visa,
        entry_mode: EntryMode::Chip,
        service_code: "201".into(),
        ksn: vec![0x12; 12],
        ciphertext: vec![0xA5; 24],
        emv_tlv: Some(vec![0x9F, 0x27, 0x01, 0x80]),
    }));
    bench.reader_says(Message::InsertChip);
    assert!(bench.run_until(3, |b| b.seen.len() == 3));
    assert_eq!(bench.seen[0], ReaderEvent::CardInserted);
    assert!(matches!(&bench.seen[1], ReaderEvent::ChipRead(p) if p.entry_mode == EntryMode::Chip));
    assert_eq!(bench.seen[2], ReaderEvent::InsertChip);
}

#[test]
fn a_transaction_is_started_once_and_cancelled() {
    let mut bench = Bench::new();
    bench.connect();
    assert_eq!(bench.driver.start_transaction(sale()), Ok(()));
    assert_eq!(
        bench.driver.start_transaction(sale()),
        Err(ReaderError::Busy)
    );
    bench.driver.cancel();
    assert_eq!(bench.driver.start_transaction(sale()), Ok(()));
    assert!(bench.run_until(3, |b| b.driver.is_link_idle() && b.received.len() >= 4));
    let kinds: Vec<FrameType> = bench
        .received
        .iter()
        .map(Message::frame_type)
        .filter(|t| *t != FrameType::GetInfo)
        .collect();
    assert_eq!(
        kinds,
        [
            FrameType::StartTransaction,
            FrameType::Cancel,
            FrameType::StartTransaction
        ]
    );
    let Some(Message::StartTransaction(start)) = bench
        .received
        .iter()
        .find(|m| matches!(m, Message::StartTransaction(_)))
    else {
        unreachable!()
    };
    assert_eq!(start.amount, Money::twd_minor(48_000));
    assert_eq!(start.entry_modes.to_byte(), 0x07);
}

#[test]
fn a_reader_timeout_restarts_the_wait_for_a_card() {
    let mut bench = Bench::new();
    bench.connect();
    bench.driver.start_transaction(sale()).unwrap();
    bench.reader_says(Message::TransactionDone(TransactionDone {
        outcome: TransactionOutcome::TimedOut,
        emv_tlv: Vec::new(),
    }));
    let restarted = bench.run_until(3, |b| {
        b.received
            .iter()
            .filter(|m| matches!(m, Message::StartTransaction(_)))
            .count()
            == 2
    });
    assert!(restarted, "{:?}", bench.received);
}

#[test]
fn the_cards_verdict_on_an_approval_is_the_online_answer() {
    for (outcome, expected) in [
        (TransactionOutcome::Approved, Ok(())),
        (
            TransactionOutcome::DeclinedByCard,
            Err(ReaderError::CardDeclined),
        ),
    ] {
        let mut bench = Bench::new();
        bench.outcome = outcome;
        bench.connect();
        bench.driver.start_transaction(sale()).unwrap();
        bench.driver.send_online_result(&approval()).unwrap();
        let answered = |b: &Bench| {
            b.seen
                .iter()
                .filter(|e| matches!(e, ReaderEvent::OnlineResultAnswered(_)))
                .count()
        };
        assert_eq!(answered(&bench), 0, "not yet");
        assert!(bench.run_until(2, |b| answered(b) > 0));
        let round_trip_ms = bench.elapsed;
        bench.run_until(1, |_| false);
        assert_eq!(answered(&bench), 1, "answered once");
        assert!(bench
            .seen
            .contains(&ReaderEvent::OnlineResultAnswered(expected)));
        // The transaction is over: a new one may start.
        assert_eq!(bench.driver.start_transaction(sale()), Ok(()));
        assert!(round_trip_ms > 0);
    }
}

#[test]
fn a_vanished_reader_is_reported_and_found_again() {
    let mut bench = Bench::new();
    bench.connect();
    bench.driver.start_transaction(sale()).unwrap();
    bench.driver.send_online_result(&approval()).unwrap();
    // Unplugged before it could answer.
    bench.reader = None;
    bench.up_queue.clear();
    let lost = bench.run_until(5, |b| b.seen.contains(&ReaderEvent::Disconnected));
    assert!(lost, "{:?}", bench.driver.state());
    let answered = ReaderEvent::OnlineResultAnswered(Err(ReaderError::NotConnected));
    let position = |event: &ReaderEvent| bench.seen.iter().position(|e| e == event);
    let answered_at = position(&answered).expect("the wait for the card's verdict ends");
    let lost_at = position(&ReaderEvent::Disconnected).expect("the reader is reported gone");
    assert!(answered_at < lost_at, "{:?}", bench.seen);
    assert_eq!(bench.driver.info(), None);
    assert_eq!(
        bench.driver.start_transaction(sale()),
        Err(ReaderError::NotConnected)
    );
    // Nobody there: the driver keeps looking, without events.
    bench.seen.clear();
    bench.run_until(3, |_| false);
    assert!(bench.seen.is_empty(), "{:?}", bench.seen);
    // Plugged in again: a fresh reader at power-up settings.
    bench.reader = Some(reader_station());
    bench.connect();
    assert_eq!(bench.driver.start_transaction(sale()), Ok(()));
}

#[test]
fn keep_alives_flow_while_the_link_is_quiet() {
    let mut bench = Bench::new();
    bench.connect();
    bench.received.clear();
    bench.run_until(4, |_| false);
    let keepalives = bench
        .received
        .iter()
        .filter(|m| **m == Message::GetInfo)
        .count();
    assert!((3..=4).contains(&keepalives), "{keepalives}");
    assert!(bench.seen.iter().all(|e| *e != ReaderEvent::Disconnected));
}

#[test]
fn the_platforms_unplug_ends_the_link_at_once_and_a_plug_finds_it_again() {
    let mut bench = Bench::new();
    bench.connect();
    bench.driver.start_transaction(sale()).unwrap();
    bench.driver.send_online_result(&approval()).unwrap();
    bench.seen.clear();
    bench.driver.unplugged();
    let events: Vec<ReaderEvent> = std::iter::from_fn(|| bench.driver.poll_event()).collect();
    assert_eq!(
        events,
        vec![
            ReaderEvent::OnlineResultAnswered(Err(ReaderError::NotConnected)),
            ReaderEvent::Disconnected
        ],
        "no waiting for unanswered frames"
    );
    assert_eq!(bench.driver.state(), LinkState::Unplugged);
    // While unplugged the driver sends nothing and looks for nobody.
    bench.run_until(2, |_| false);
    assert_eq!(bench.driver.state(), LinkState::Unplugged);
    assert!(bench.seen.is_empty(), "{:?}", bench.seen);
    // Plugged in again: the reader powers up afresh.
    bench.reader = Some(reader_station());
    bench.up_queue.clear();
    bench.driver.plugged();
    bench.connect();
    assert_eq!(bench.driver.start_transaction(sale()), Ok(()));
}

#[test]
fn the_next_transaction_starts_while_the_card_still_answers_the_last_one() {
    let mut bench = Bench::new();
    bench.connect();
    bench.driver.start_transaction(sale()).unwrap();
    bench.driver.send_online_result(&approval()).unwrap();
    // The cashier moves on at once: no "busy".
    assert_eq!(bench.driver.start_transaction(sale()), Ok(()));
    assert!(bench.run_until(3, |b| b
        .seen
        .iter()
        .any(|e| matches!(e, ReaderEvent::OnlineResultAnswered(_)))));
    bench.run_until(1, |_| false);
    let order: Vec<FrameType> = bench
        .received
        .iter()
        .filter(|m| matches!(m, Message::OnlineResult(_) | Message::StartTransaction(_)))
        .map(Message::frame_type)
        .collect();
    assert_eq!(
        order,
        [
            FrameType::StartTransaction,
            FrameType::OnlineResult,
            FrameType::StartTransaction
        ],
        "the answer reaches the reader before the next start"
    );
}
