//! What the core allocates on the shell's audio thread, per 10 ms block of
//! `mpos_audio_jack_process`: a shell must run the core on a thread of its
//! own (never a realtime render callback), and this test holds the core to
//! what it allocates there, so a change that allocates more shows up.

use mpos_core::view::Locale;
use mpos_core::AppConfig;
use mpos_ffi::{mpos_audio_jack_process, AudioJack, MposApp};
use mpos_ffi_testing::{mpos_virtual_reader_process, VirtualReader};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Counting;

thread_local! {
    /// Whether allocations on this thread are counted now.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
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

const RATE: u32 = 48_000;
const BLOCK: u32 = 480;

/// One block through both ends; returns what the app's side allocated.
fn pump(jack: &AudioJack, reader: &VirtualReader) -> usize {
    let frames = BLOCK as usize;
    // SAFETY: both objects are alive; each buffer holds BLOCK frames of its channels.
    unsafe {
        std::ptr::copy_nonoverlapping(
            jack.output_address() as *const f32,
            reader.input_address() as *mut f32,
            2 * frames,
        );
        assert_eq!(
            mpos_virtual_reader_process(reader.native_handle(), BLOCK),
            0
        );
        std::ptr::copy_nonoverlapping(
            reader.output_address() as *const f32,
            jack.input_address() as *mut f32,
            frames,
        );
        ALLOCATIONS.store(0, Ordering::Relaxed);
        COUNTING.with(|counting| counting.set(true));
        assert_eq!(mpos_audio_jack_process(jack.native_handle(), BLOCK), 0);
        COUNTING.with(|counting| counting.set(false));
    }
    ALLOCATIONS.load(Ordering::Relaxed)
}

fn config(dir: &tempfile::TempDir) -> AppConfig {
    let certificate = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    AppConfig {
        gateway_url: "https://localhost:9".into(),
        trust_root_pem: certificate.cert.pem(),
        pinned_spki_sha256: "00".repeat(32),
        data_dir: dir.path().display().to_string(),
        request_timeout_ms: 1_000,
        reversal_retry_ms: 100,
        locale: Locale::En,
        pin_entry_idle_ms: None,
    }
}

#[test]
fn the_core_allocates_on_the_audio_thread_only_when_it_talks_to_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let jack = AudioJack::new(RATE, "Test Phone".into(), BLOCK, None).unwrap();
    let reader = VirtualReader::new(RATE, 7, BLOCK);
    let app = MposApp::new(config(&dir), jack.clone()).unwrap();

    // The instrument works: it sees an allocation on this thread.
    COUNTING.with(|counting| counting.set(true));
    drop(std::hint::black_box(Vec::<u8>::with_capacity(8)));
    COUNTING.with(|counting| counting.set(false));
    assert!(ALLOCATIONS.swap(0, Ordering::Relaxed) >= 1);

    // The jack empty: silence, nothing allocated.
    jack.set_headset(false);
    let unplugged: usize = (0..300).map(|_| pump(&jack, &reader)).sum();
    assert_eq!(unplugged, 0, "an empty jack allocates nothing");
    jack.set_headset(true);

    reader.plug_in();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !jack.is_reader_connected() {
        assert!(Instant::now() < deadline, "no reader");
        for _ in 0..10 {
            pump(&jack, &reader);
        }
    }
    // Let the connection settle (the app's first reader check, the
    // buffers grown to size), then watch 30 s of blocks.
    for _ in 0..300 {
        pump(&jack, &reader);
    }
    let per_block: Vec<usize> = (0..3_000).map(|_| pump(&jack, &reader)).collect();
    let total: usize = per_block.iter().sum();
    let quiet = per_block.iter().filter(|&&n| n == 0).count();
    let busiest = per_block.iter().copied().max().unwrap_or(0);
    println!(
        "connected, 3000 blocks (30 s): {total} allocations in all, {quiet} blocks with none, at most {busiest} in one block"
    );
    // The keep-alive every second is the only talk: 30 exchanges.
    assert!(quiet >= 2_900, "{quiet} quiet blocks of 3000");
    assert!(total <= 30 * 16, "{total} allocations in 30 keep-alives");
    drop(app);
}
