//! The reader's magnetic read: the card's tracks pass the head, the head's
//! signal reaches the reader MCU's ADC, and the MCU's decoder (the same
//! [`MagstripeDecoder`] the phone uses for raw-head readers) turns it back
//! into characters. Only what the decoder returns is sealed: a swipe the
//! decoder cannot read is a failed swipe, whatever card made it. The
//! decoder reads any ISO 7811 track; this is the payment path, so a track
//! that is not a payment card's (no Luhn-valid number, expiry and service
//! code) is refused here ([`StripeReadError::NotAPaymentCard`]).
//!
//! The card carries ISO 7813 tracks 1 and 2 built from its catalogue entry,
//! one head channel each. Each swipe's motion is drawn from a seed: 10 to
//! 60 inches/s, speeding up or slowing down by up to 1.5x within the swipe,
//! either direction, 0 to 3 % jitter, 40 dB SNR at the ADC. A bad swipe is
//! pulled back halfway along the stripe, in 3 dB of noise.

use crate::magstripe::{synthesize, RealWorld, Stripe, SwipeParams, SynthError};
use mpos_cards::TestCard;
use mpos_crypto::envelope::ClearCard;
use mpos_magstripe::{DecodedTrack, MagstripeDecoder};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The reader MCU's head ADC rate (its own converter, not the phone's).
pub const HEAD_SAMPLE_RATE: u32 = 48_000;

/// Discretionary data after the service code on both tracks (PVKI, PVV and
/// CVV positions, zero on these test cards). It never leaves the reader.
const DISCRETIONARY: &str = "00000000";
/// Samples handed to the decoder at a time, as the MCU's DMA would.
const CHUNK: usize = 480;
/// The signal-to-noise ratio of a good swipe at the ADC, dB.
const GOOD_SNR_DB: f64 = 40.0;
/// The signal-to-noise ratio of a bad swipe, dB.
const BAD_SNR_DB: f64 = 3.0;

/// How the cardholder swipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwipeStyle {
    /// A realistic swipe through the whole stripe.
    Good,
    /// The card is pulled back halfway, in heavy noise: it cannot decode.
    Bad,
}

/// Why a swipe gave no card data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StripeReadError {
    /// The card's data cannot be written as an ISO 7813 track.
    #[error("卡片磁條資料無效，請改用其他卡片 / the card's stripe data is invalid; use another card ({0})")]
    Track(#[from] SynthError),
    /// Neither track decoded.
    #[error("無法讀取磁條，請重新刷卡 / the stripe could not be read; swipe again")]
    Unreadable,
    /// The stripe read, but it is not a payment card's (no card number,
    /// Luhn, expiry or service code as ISO 7813 writes them).
    #[error("此卡不是支付卡，請改用信用卡或金融卡 / this is not a payment card; use a credit or debit card")]
    NotAPaymentCard,
}

/// Track 1 as ISO 7813 writes it: `%B{pan}^{name}^{YYMM}{service code}{discretionary}?`.
pub fn track1_text(card: &TestCard) -> String {
    format!(
        "%B{}^{}^{}{}{DISCRETIONARY}?",
        card.pan, card.cardholder, card.expiry, card.service_code
    )
}

/// Track 2 as ISO 7813 writes it: `;{pan}={YYMM}{service code}{discretionary}?`.
pub fn track2_text(card: &TestCard) -> String {
    format!(
        ";{}={}{}{DISCRETIONARY}?",
        card.pan, card.expiry, card.service_code
    )
}

/// The swipe `seed` stands for: its motion, noise and jitter.
pub fn swipe_params(style: SwipeStyle, seed: u64) -> SwipeParams {
    let mut rng = StdRng::seed_from_u64(seed);
    // Log-uniform: as many slow swipes as fast ones.
    let speed_ips = rng.gen_range(10f64.ln()..60f64.ln()).exp();
    let ramp = rng.gen_range(-(1.5f64.ln())..1.5f64.ln()).exp();
    SwipeParams {
        speed_ips,
        speed_end_ips: speed_ips * ramp,
        jitter: rng.gen_range(0.0..0.03),
        snr_db: Some(match style {
            SwipeStyle::Good => GOOD_SNR_DB,
            SwipeStyle::Bad => BAD_SNR_DB,
        }),
        sample_rate: HEAD_SAMPLE_RATE,
        // The head is wired to the MCU, not through the phone's filter.
        highpass_hz: None,
        reverse: rng.gen_bool(0.5),
        invert: false,
        seed: rng.gen(),
        lead_s: 0.02,
        tail_s: 0.02,
        real: RealWorld::IDEAL,
    }
}

/// Swipes `card` past the head as `seed` says and decodes what the head
/// saw: the track-2 data, or track 1's when track 2 did not read.
pub fn read_stripe(
    card: &TestCard,
    style: SwipeStyle,
    seed: u64,
) -> Result<ClearCard, StripeReadError> {
    let mut stripes = [
        Stripe::for_track(2, &track2_text(card))?,
        Stripe::for_track(1, &track1_text(card))?,
    ];
    if style == SwipeStyle::Bad {
        stripes.iter_mut().for_each(pull_back_halfway);
    }
    let audio = synthesize(&stripes, &swipe_params(style, seed))?;
    let track2 = decode(2, &audio.channels[0]);
    let track1 = decode(1, &audio.channels[1]);
    if track2.is_none() && track1.is_none() {
        return Err(StripeReadError::Unreadable);
    }
    // The decoder reads any ISO track; only a payment card's is sealed.
    let payment = |t: Option<DecodedTrack>| t.filter(|t| t.kind().is_payment_card());
    card_data(payment(track2).as_ref(), payment(track1).as_ref())
        .ok_or(StripeReadError::NotAPaymentCard)
}

/// The track-2-equivalent data of a swipe: from track 2, else from track 1.
fn card_data(track2: Option<&DecodedTrack>, track1: Option<&DecodedTrack>) -> Option<ClearCard> {
    track2
        .and_then(|t| parse_track2(&t.characters))
        .or_else(|| track1.and_then(|t| parse_track1(&t.characters)))
}

/// The card leaves the head halfway along the record: no end sentinel, no LRC.
fn pull_back_halfway(stripe: &mut Stripe) {
    let cut = stripe.record_start + (stripe.record_end - stripe.record_start) / 2;
    stripe.bits.truncate(cut);
    stripe.record_end = cut;
}

/// One head channel through the MCU's decoder: the track it accepted, if it is `track`.
fn decode(track: u8, samples: &[f32]) -> Option<DecodedTrack> {
    let mut decoder = MagstripeDecoder::new(HEAD_SAMPLE_RATE).ok()?;
    let mut swipes = Vec::new();
    for chunk in samples.chunks(CHUNK) {
        swipes.extend(decoder.push_f32(chunk));
    }
    swipes.extend(decoder.finish());
    swipes
        .into_iter()
        .flat_map(|swipe| swipe.tracks)
        .find(|decoded| decoded.track == track)
}

/// `;PAN=YYMMSSS...?`, already framed by the decoder and checked as a payment card's.
fn parse_track2(text: &str) -> Option<ClearCard> {
    let inner = text.strip_prefix(';')?.strip_suffix('?')?;
    let (pan, rest) = inner.split_once('=')?;
    clear_card(pan, rest)
}

/// `%BPAN^NAME^YYMMSSS...?`.
fn parse_track1(text: &str) -> Option<ClearCard> {
    let inner = text.strip_prefix("%B")?.strip_suffix('?')?;
    let (pan, rest) = inner.split_once('^')?;
    let (_name, rest) = rest.split_once('^')?;
    clear_card(pan, rest)
}

fn clear_card(pan: &str, rest: &str) -> Option<ClearCard> {
    Some(ClearCard {
        pan: pan.to_string(),
        expiry: rest.get(..4)?.to_string(),
        service_code: rest.get(4..7)?.to_string(),
        chip_failures: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_cards::{CardId, CATALOGUE};

    fn expected(card: &TestCard) -> ClearCard {
        ClearCard {
            pan: card.pan.into(),
            expiry: card.expiry.into(),
            service_code: card.service_code.into(),
            chip_failures: 0,
        }
    }

    #[test]
    fn tracks_follow_iso_7813() {
        let visa = TestCard::get(CardId::VisaChipApproved);
        assert_eq!(track2_text(visa), ";4111111111111111=301220100000000?");
        assert!(track1_text(visa).starts_with("%B4111111111111111^TEST/VISA CHIP^3012201"));
        for card in CATALOGUE {
            for (track, text) in [(1, track1_text(card)), (2, track2_text(card))] {
                assert!(Stripe::for_track(track, &text).is_ok(), "{}", card.pan);
                assert_eq!(mpos_magstripe::check_fields(track, &text), Ok(()), "{text}");
            }
        }
    }

    #[test]
    fn swipes_vary_within_the_realistic_range_and_repeat_for_a_seed() {
        let all: Vec<SwipeParams> = (0..200)
            .map(|s| swipe_params(SwipeStyle::Good, s))
            .collect();
        for p in &all {
            assert!((10.0..60.0).contains(&p.speed_ips), "{p:?}");
            let ramp = p.speed_end_ips / p.speed_ips;
            assert!((1.0 / 1.5..=1.5).contains(&ramp), "{p:?}");
            assert_eq!(p.snr_db, Some(40.0));
            assert_eq!(p.sample_rate, 48_000);
        }
        assert!(all.iter().any(|p| p.reverse) && all.iter().any(|p| !p.reverse));
        assert!(all.iter().any(|p| p.speed_ips < 15.0) && all.iter().any(|p| p.speed_ips > 45.0));
        assert_eq!(swipe_params(SwipeStyle::Good, 7), all[7]);
        assert_eq!(swipe_params(SwipeStyle::Bad, 7).snr_db, Some(3.0));
    }

    #[test]
    fn every_catalogue_card_reads_back_through_the_head() {
        for (seed, card) in CATALOGUE.iter().enumerate() {
            let read = read_stripe(card, SwipeStyle::Good, seed as u64);
            assert_eq!(read.as_ref().ok(), Some(&expected(card)), "{}", card.pan);
        }
    }

    #[test]
    fn a_bad_swipe_never_reads() {
        let visa = TestCard::get(CardId::VisaSwipeOnlyApproved);
        for seed in 0..4 {
            assert_eq!(
                read_stripe(visa, SwipeStyle::Bad, seed),
                Err(StripeReadError::Unreadable),
                "{seed}"
            );
        }
    }

    #[test]
    fn what_is_sealed_is_what_the_head_decoded() {
        // Track 1 with a name longer than ISO 7813 allows is not a payment
        // card's track; track 2 still reads.
        let mut long_name = *TestCard::get(CardId::VisaSwipeOnlyApproved);
        long_name.cardholder = "A NAME FAR TOO LONG FOR TRACK ONE";
        assert_eq!(
            read_stripe(&long_name, SwipeStyle::Good, 1),
            Ok(expected(&long_name))
        );
        // A number that fails Luhn reads, but is not a payment card's, on
        // either track: refused as such, never sealed.
        let mut bad_number = *TestCard::get(CardId::VisaSwipeOnlyApproved);
        bad_number.pan = "4111111111111112";
        assert_eq!(
            read_stripe(&bad_number, SwipeStyle::Good, 1),
            Err(StripeReadError::NotAPaymentCard)
        );
        // Text no track can hold is the card's fault, not the swipe's.
        let mut lower_case = *TestCard::get(CardId::VisaSwipeOnlyApproved);
        lower_case.cardholder = "test/visa";
        assert!(matches!(
            read_stripe(&lower_case, SwipeStyle::Good, 1),
            Err(StripeReadError::Track(_))
        ));
    }

    #[test]
    fn track_2_wins_and_track_1_stands_in_when_track_2_did_not_read() {
        let track = |track: u8, text: &str| DecodedTrack {
            track,
            characters: text.into(),
        };
        let t2 = track(2, ";4111111111111111=301220100000000?");
        let t1 = track(1, "%B4000000000000002^TEST/VISA^3101101?");
        assert_eq!(
            card_data(Some(&t2), Some(&t1)).unwrap().pan,
            "4111111111111111"
        );
        let from_1 = card_data(None, Some(&t1)).unwrap();
        assert_eq!(from_1.pan, "4000000000000002");
        assert_eq!(
            (from_1.expiry.as_str(), from_1.service_code.as_str()),
            ("3101", "101")
        );
        assert_eq!(card_data(None, None), None);
    }

    #[test]
    fn the_track_parsers_take_the_fields_they_need() {
        let t2 = parse_track2(";4111111111111111=301220100000000?").unwrap();
        assert_eq!(
            (t2.pan.as_str(), t2.expiry.as_str()),
            ("4111111111111111", "3012")
        );
        assert_eq!(t2.service_code, "201");
        let t1 = parse_track1("%B4111111111111111^TEST/VISA^3012101?").unwrap();
        assert_eq!(t1.service_code, "101");
        assert_eq!(parse_track2("4111=3012201?"), None);
        assert_eq!(parse_track1("%B4111^TEST^30?"), None);
    }
}
