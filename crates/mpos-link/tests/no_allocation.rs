//! The receive path runs once per audio sample on a phone: after
//! construction it must not allocate, whatever it hears.

use mpos_link::channel::{Channel, ChannelConfig};
use mpos_link::{examples, BitRate, Demodulator, Modulator};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn demodulating_frames_and_noise_allocates_nothing() {
    let rate = 48_000;
    let frame = examples::all()
        .into_iter()
        .find(|e| e.name == "card_read_chip")
        .unwrap()
        .frame();
    let mut tx = vec![0.0f32; 2000];
    let modulator = Modulator::new(rate, BitRate::Bps4800, 0.2);
    for _ in 0..20 {
        modulator.modulate(&frame, &mut tx);
        tx.extend(std::iter::repeat_n(0.0, 3000));
    }
    let mut rx = Vec::new();
    let config = ChannelConfig {
        highpass_hz: Some(300.0),
        clock_ratio: 1.004,
        ..ChannelConfig::default()
    }
    .with_snr(0.2, 15.0);
    Channel::new(rate, config).process(&tx, &mut rx);
    let mut demod = Demodulator::new(rate, BitRate::Bps4800).unwrap();

    // The instrument works: it sees an allocation.
    COUNTING.store(true, Ordering::Relaxed);
    drop(std::hint::black_box(Vec::<u8>::with_capacity(8)));
    assert_eq!(ALLOCATIONS.swap(0, Ordering::Relaxed), 1);

    let mut frames = 0;
    let mut offset = 0;
    while offset < rx.len() {
        offset += demod.push(&rx[offset..]);
        if let Some((bytes, _)) = demod.frame() {
            frames += usize::from(bytes == frame.as_slice());
        }
    }
    COUNTING.store(false, Ordering::Relaxed);

    assert_eq!(frames, 20);
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), 0);
}
