//! The magnetic-stripe decoder's per-sample path allocates nothing: a
//! counting global allocator (this test binary's only allocator) watches
//! every `push` of a stream with noise, a swipe that is rejected and a
//! swipe that is accepted. Only the accepted swipe's result may allocate.

use mpos_magstripe::{MagstripeDecoder, TRACK2};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// An F2F swipe of `bits` (with clocking zeros) as alternating Gaussian
/// pulses, `period` samples per bit, after `lead` samples, with a little
/// deterministic noise; its level grows `growth` times from first pulse to
/// last.
fn swipe(bits: &[u8], period: f64, lead: usize, tail: usize, growth: f32) -> Vec<f32> {
    let mut all = vec![0u8; 20];
    all.extend_from_slice(bits);
    all.extend_from_slice(&[0; 20]);
    let mut times = Vec::new();
    for (i, &bit) in all.iter().enumerate() {
        let start = lead as f64 + i as f64 * period;
        times.push(start);
        if bit == 1 {
            times.push(start + period / 2.0);
        }
    }
    times.push(lead as f64 + all.len() as f64 * period);
    let len = lead + (all.len() as f64 * period) as usize + tail;
    let mut state = 7u32;
    let mut signal: Vec<f32> = (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            0.01 * ((state >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
        })
        .collect();
    let count = times.len() as f32;
    for (k, &t) in times.iter().enumerate() {
        let level = 0.5 * (1.0 / growth + (1.0 - 1.0 / growth) * k as f32 / count);
        let sign = if k % 2 == 0 { level } else { -level };
        let first = (t - 12.0).max(0.0) as usize;
        for (n, s) in signal.iter_mut().enumerate().skip(first).take(25) {
            let d = n as f64 - t;
            *s += sign * (-d * d / 18.0).exp() as f32;
        }
    }
    signal
}

#[test]
fn only_an_accepted_swipe_allocates() {
    let text = ";4111111111111111=30122011234567890?";
    let good = TRACK2.encode(text).unwrap();
    let mut bad = good.clone();
    bad[40] ^= 1;
    // The second corrupted swipe starts faint, so the clock-aided reader
    // goes back over it too (and finds nothing) before the good one.
    let mut stream = swipe(&bad, 29.4, 4_410, 4_410, 1.0);
    stream.extend(swipe(&bad, 29.4, 4_410, 4_410, 10.0));
    stream.extend(swipe(&good, 29.4, 4_410, 8_820, 1.0));
    let explained = mpos_magstripe::explain(&stream, 44_100).unwrap();
    assert!(
        explained.clock_aided.iter().any(|aided| aided.readings > 0),
        "the clock-aided reader ran"
    );
    let mut decoder = MagstripeDecoder::new(44_100).unwrap();

    let mut results = Vec::new();
    let mut position = 0;
    let mut size = 1;
    while position < stream.len() {
        let chunk = &stream[position..(position + size).min(stream.len())];
        let before = allocations();
        let swipes = decoder.push_f32(chunk);
        let allocated = allocations() - before;
        if swipes.is_empty() {
            assert_eq!(
                allocated, 0,
                "a push without a result allocated (at sample {position})"
            );
        } else {
            // The result itself: the Vec of swipes, its Vec of tracks, the text.
            assert!(allocated <= 3, "{allocated} allocations for one result");
        }
        results.extend(swipes);
        position += chunk.len();
        size = size % 700 + 37;
    }
    let before = allocations();
    assert!(decoder.finish().is_empty());
    assert_eq!(allocations() - before, 0);
    assert_eq!(
        results.len(),
        1,
        "the corrupted swipe is rejected, the good one read"
    );
    assert_eq!(results[0].tracks[0].characters, text);
}
