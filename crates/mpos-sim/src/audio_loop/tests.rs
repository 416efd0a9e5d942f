//! The phone's driver and the reader device through simulated audio, a few
//! times faster than real time: everything between them is samples.

use super::*;
use crate::recording_sink::RecordingSink;
use crate::test_issuer;
use mpos_core::reader::{CardReader, OnlineResult, ReaderError, ReaderEvent, ReaderRequest};
use mpos_crypto::emv::CardStatusUpdate;
use mpos_wire::api::TxnKind;
use mpos_wire::{CardPayload, EntryMode, Money};

const WAIT: Duration = Duration::from_secs(30);

struct Rig {
    audio: AudioLoop,
    sink: Arc<RecordingSink>,
    seen: Vec<ReaderEvent>,
}

fn rig() -> Rig {
    rig_with(ReaderDevice::with_test_keys)
}

fn rig_with(make_device: impl FnOnce(u32) -> ReaderDevice) -> Rig {
    let config = AudioLoopConfig {
        speed: 4.0,
        ..AudioLoopConfig::typical_phone()
    };
    let phone = Arc::new(AudioJackReader::new(config.sample_rate, "Sim Phone").unwrap());
    let sink = Arc::new(RecordingSink::new());
    phone.set_event_sink(sink.clone());
    let mut device = make_device(config.sample_rate);
    device.set_date(Some(time::macros::date!(2025 - 03 - 07)));
    Rig {
        audio: AudioLoop::start(phone, device, config).unwrap(),
        sink,
        seen: Vec::new(),
    }
}

impl Rig {
    /// Waits for an event `wanted` accepts; returns it.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&ReaderEvent) -> bool) -> ReaderEvent {
        let deadline = Instant::now() + WAIT;
        loop {
            for event in self.sink.take() {
                self.seen.push(event.clone());
                if wanted(&event) {
                    return event;
                }
            }
            assert!(Instant::now() < deadline, "no {what}; saw {:?}", self.seen);
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn connect(&mut self) {
        self.audio.plug_in();
        self.wait_for("connection", |e| matches!(e, ReaderEvent::Connected(_)));
    }

    fn phone(&self) -> &AudioJackReader {
        self.audio.phone()
    }

    /// Hands the host's answer to the reader and waits for the card's verdict.
    fn verdict(&mut self, result: OnlineResult) -> Result<(), ReaderError> {
        assert_eq!(self.phone().online_result(result), Ok(()), "handed over");
        match self.wait_for("the card's verdict", |e| {
            matches!(e, ReaderEvent::OnlineResultAnswered(_))
        }) {
            ReaderEvent::OnlineResultAnswered(verdict) => verdict,
            other => panic!("{other:?}"),
        }
    }

    fn chip_read(&mut self) -> CardPayload {
        match self.wait_for("chip read", |e| {
            matches!(e, ReaderEvent::ChipRead(_) | ReaderEvent::ChipReadFailed)
        }) {
            ReaderEvent::ChipRead(payload) => payload,
            other => panic!("{other:?}"),
        }
    }
}

fn sale(minor: u64) -> ReaderRequest {
    ReaderRequest {
        amount: Money::twd_minor(minor),
        kind: TxnKind::Sale,
        chip_allowed: true,
        swipe_allowed: true,
    }
}

fn approval(payload: &CardPayload) -> OnlineResult {
    OnlineResult {
        approved: true,
        auth_code: Some("123456".into()),
        response_code: "00".into(),
        issuer_authentication: Some(test_issuer::answer(payload, CardStatusUpdate::approval())),
    }
}

#[test]
fn a_chip_sale_runs_through_the_audio_and_the_card_accepts_the_approval() {
    let mut rig = rig();
    rig.connect();
    let info = rig.phone().info().expect("connected");
    assert_eq!(info.serial, "SIM-90123456");
    assert!(rig.phone().profile().is_some(), "auto-configuration ran");
    rig.phone().start_transaction(sale(480_000)).unwrap();
    rig.audio.insert(CardId::VisaChipApproved);
    let payload = rig.chip_read();
    assert_eq!(payload.entry_mode, EntryMode::Chip);
    assert_eq!(payload.masked_pan.as_str(), "411111******1111");
    assert_eq!(test_issuer::open(&payload).pan, "4111111111111111");
    let started = Instant::now();
    assert_eq!(rig.verdict(approval(&payload)), Ok(()));
    // At 4x real time, well inside the 300 ms round-trip target.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        rig.audio.device().last_card_decision(),
        Some(crate::icc::CardDecision::Tc)
    );
    assert!(!rig.audio.device().transaction_active());
    rig.audio.remove_card();
    rig.wait_for("removal", |e| *e == ReaderEvent::CardRemoved);
}

#[test]
fn an_approval_the_chip_declines_comes_back_as_card_declined() {
    let mut rig = rig();
    rig.connect();
    rig.phone().start_transaction(sale(80_000)).unwrap();
    rig.audio.insert(CardId::VisaChipDeclinesAfterApproval);
    let payload = rig.chip_read();
    assert_eq!(
        rig.verdict(approval(&payload)),
        Err(ReaderError::CardDeclined)
    );
    assert_eq!(
        rig.audio.device().last_card_decision(),
        Some(crate::icc::CardDecision::Aac)
    );
}

#[test]
fn chip_first_and_fallback_are_applied_by_the_reader() {
    let mut rig = rig();
    rig.connect();
    rig.phone().start_transaction(sale(30_000)).unwrap();
    rig.audio.swipe(CardId::VisaChipApproved);
    rig.wait_for("insert-chip prompt", |e| *e == ReaderEvent::InsertChip);
    for _ in 0..3 {
        rig.audio
            .insert_with_unreadable_chip(CardId::VisaChipApproved);
        rig.wait_for("chip failure", |e| *e == ReaderEvent::ChipReadFailed);
        rig.audio.remove_card();
    }
    rig.audio.swipe(CardId::VisaChipApproved);
    let event = rig.wait_for("fallback swipe", |e| {
        matches!(e, ReaderEvent::CardSwiped(_) | ReaderEvent::InsertChip)
    });
    let ReaderEvent::CardSwiped(payload) = event else {
        panic!("{event:?}")
    };
    assert_eq!(payload.entry_mode, EntryMode::FallbackSwipe);
    assert_eq!(payload.emv_tlv, None);
    let approved = OnlineResult {
        issuer_authentication: None,
        ..approval_without_chip()
    };
    assert_eq!(rig.phone().online_result(approved), Ok(()));
}

fn approval_without_chip() -> OnlineResult {
    OnlineResult {
        approved: true,
        auth_code: Some("654321".into()),
        response_code: "00".into(),
        issuer_authentication: None,
    }
}

#[test]
fn a_swipe_the_head_cannot_read_reaches_the_phone_as_a_failed_swipe() {
    let mut rig = rig();
    rig.connect();
    rig.phone().start_transaction(sale(30_000)).unwrap();
    rig.audio.swipe_badly(CardId::VisaSwipeOnlyApproved);
    let event = rig.wait_for("failed swipe", |e| {
        matches!(e, ReaderEvent::SwipeFailed | ReaderEvent::CardSwiped(_))
    });
    assert_eq!(event, ReaderEvent::SwipeFailed);
    rig.audio.swipe(CardId::VisaSwipeOnlyApproved);
    let event = rig.wait_for("swipe", |e| matches!(e, ReaderEvent::CardSwiped(_)));
    let ReaderEvent::CardSwiped(payload) = event else {
        panic!("{event:?}")
    };
    assert_eq!(payload.entry_mode, EntryMode::Swipe);
    assert_eq!(test_issuer::open(&payload).pan, "4242424242424242");
}

#[test]
fn a_legacy_reader_seals_with_tdes_dukpt_over_the_audio() {
    let mut rig = rig_with(ReaderDevice::with_legacy_test_keys);
    rig.connect();
    let info = rig.phone().info().expect("connected");
    assert_eq!(info.ksn, "FFFF9876543210E00001");
    rig.phone().start_transaction(sale(480_000)).unwrap();
    rig.audio.insert(CardId::VisaChipApproved);
    let payload = rig.chip_read();
    assert_eq!(payload.ksn, "FFFF9876543210E00001");
    assert_eq!(test_issuer::open(&payload).pan, "4111111111111111");
    assert_eq!(rig.verdict(approval(&payload)), Ok(()));
    assert_eq!(
        rig.audio.device().last_card_decision(),
        Some(crate::icc::CardDecision::Tc)
    );
}

#[test]
fn unplugging_is_noticed_and_plugging_back_in_reconnects() {
    let mut rig = rig();
    rig.connect();
    rig.audio.unplug();
    rig.wait_for("disconnection", |e| *e == ReaderEvent::Disconnected);
    assert_eq!(rig.phone().info(), None);
    assert!(!rig.audio.device().is_awake());
    rig.audio.plug_in();
    rig.wait_for("reconnection", |e| matches!(e, ReaderEvent::Connected(_)));
    assert!(rig.audio.device().is_awake());
    assert_eq!(rig.phone().start_transaction(sale(100)), Ok(()));
}

#[test]
fn the_sample_rates_must_agree() {
    let phone = Arc::new(AudioJackReader::new(44_100, "Sim Phone").unwrap());
    let device = ReaderDevice::with_test_keys(48_000);
    let error = AudioLoop::start(phone, device, AudioLoopConfig::typical_phone())
        .err()
        .expect("refused");
    assert!(matches!(
        error,
        AudioLoopError::SampleRate {
            phone: 44_100,
            device: 48_000,
            config: 48_000
        }
    ));
}
