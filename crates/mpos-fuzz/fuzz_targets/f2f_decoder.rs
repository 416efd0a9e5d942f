//! The F2F (Aiken biphase) magnetic-stripe decoder: any samples, at any
//! supported rate and in chunks of any size, never panic, and every track it
//! accepts is a well-formed ISO 7811 track (it encodes back: sentinels,
//! character set, length).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpos_magstripe::{MagstripeDecoder, TrackFormat};

const RATES: [u32; 4] = [8_000, 22_050, 44_100, 48_000];

fuzz_target!(|data: &[u8]| {
    let Some((&head, body)) = data.split_first() else {
        return;
    };
    let rate = RATES[usize::from(head) % RATES.len()];
    let chunk = 1 + usize::from(head / 4) * 7;
    let samples: Vec<i16> = body
        .chunks_exact(2)
        .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    let mut decoder = MagstripeDecoder::new(rate).expect("supported rate");
    let mut swipes = Vec::new();
    for piece in samples.chunks(chunk) {
        swipes.extend(decoder.push_i16(piece));
    }
    swipes.extend(decoder.finish());
    for swipe in swipes {
        for track in &swipe.tracks {
            let format = TrackFormat::for_track(track.track).expect("tracks 1 to 3");
            assert!(format.encode(&track.characters).is_ok());
        }
    }
});
