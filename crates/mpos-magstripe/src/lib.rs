//! mpos-magstripe: raw magnetic-head decoding. A raw-head reader's
//! firmware (the virtual one in `mpos-sim`) and `mpos decode-wav` turn the
//! head's pulses into track data (F2F / Aiken biphase, ISO 7811/7813 tracks
//! 1, 2 and 3). The phone app never links this crate: it must never hold
//! clear track data, so stripes are decoded and sealed in the reader.
//!
//! The pipeline, one stage per file:
//! - `dc_blocker`: DC removal;
//! - `front_end` (with `smoother`): the signals the detector chains look at,
//!   raw, smoothed, integrated or slimmed;
//! - `peak_picker`: alternating-polarity peaks (or the zero crossings
//!   between lobes) over an adaptive threshold, timed to a fraction of a
//!   sample;
//! - `detector`: one chain, which also finds where a swipe begins and ends
//!   (and, at the start of the stream, whether it began mid-swipe);
//! - `join`: two chains' transitions of one swipe joined where they agree,
//!   for swipes whose speed changes 5x;
//! - `clock`: F2F clock recovery, intervals to bits, and the steady-clock
//!   check on accepted records;
//! - `signal_history` and `clock_aided`: the last seconds of input, and the
//!   reader that goes back over a swipe's faint end or dropouts with the
//!   clock and the pulse shape the chain's own bits taught, when no chain
//!   read it;
//! - `noise_floor`: the splice check, the input's noise before a read
//!   swipe and after it one input's;
//! - `track_format`: ISO 7811 acceptance (sentinels, parity, LRC, length,
//!   clocking zeros), whatever the track holds;
//! - `fields`: the ISO 7813 payment fields and Luhn, which say whether an
//!   accepted track is a payment card's ([`TrackKind`]); the payment path
//!   asks, the decoder does not refuse on them;
//! - `decoder`: [`MagstripeDecoder`], the streaming front door, which
//!   also reads a stream's start again when the quiet after it shows the
//!   warm-up took a swipe under way for noise;
//! - `swipe`: the result, [`DecodedSwipe`], whose `Debug` is redacted;
//! - `explain`: what each stage saw in a recording, without card data
//!   (`mpos decode-wav --explain`).
//!
//! The phone's high-pass filter reshapes the head's pulses the more the
//! slower the swipe: a pulse with undershoots, then a doublet, then (near
//! 2.5 ips through a 500 Hz filter) nearly a second derivative. Each chain
//! reads one of these regimes, so the decoder looks for transitions, never
//! for levels. The decoder is pure: samples in, swipes out, no I/O or clock.

mod clock;
mod clock_aided;
mod dc_blocker;
mod decoder;
mod detector;
mod error;
mod explain;
mod fields;
mod front_end;
mod join;
mod noise_floor;
mod peak_picker;
mod rejection;
mod signal_history;
mod smoother;
mod swipe;
mod track_format;
mod transition_log;

pub use decoder::{MagstripeDecoder, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE};
pub use error::MagstripeError;
pub use explain::{
    explain, Candidate, ClockAidedReport, Explanation, JoinReport, Outcome, Reading, ReplayReport,
    SegmentReport,
};
pub use fields::check_fields;
pub use rejection::{FieldRejection, Rejection};
pub use swipe::{DecodedSwipe, DecodedTrack, Direction, TrackKind};
pub use track_format::{
    Framed, TrackFormat, MIN_CLOCKING_ZEROS, TRACK1, TRACK2, TRACK3, TRAILING_ZEROS,
};
