//! The audio path's cost per 10 ms block, as a shell pays it: one
//! `mpos_audio_jack_process` call on the core's own buffers, in the
//! states a phone spends its time in. Writes its section of
//! `docs/benchmarks.md` (`cargo bench -p mpos-ffi --bench audio_block`).

use mpos_ffi::{mpos_audio_jack_process, AudioJack};
use mpos_ffi_testing::{mpos_virtual_reader_process, VirtualReader};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const RATE: u32 = 48_000;
const BLOCK: u32 = 480;
const BLOCKS: usize = 6_000;

/// One block of the app, timed; the reader's block beside it, untimed.
fn pump(jack: &AudioJack, reader: &VirtualReader) -> Duration {
    let frames = BLOCK as usize;
    // SAFETY: both objects are alive; each buffer holds BLOCK frames of its channels.
    unsafe {
        std::ptr::copy_nonoverlapping(
            reader.output_address() as *const f32,
            jack.input_address() as *mut f32,
            frames,
        );
        let started = Instant::now();
        assert_eq!(mpos_audio_jack_process(jack.native_handle(), BLOCK), 0);
        let spent = started.elapsed();
        std::ptr::copy_nonoverlapping(
            jack.output_address() as *const f32,
            reader.input_address() as *mut f32,
            2 * frames,
        );
        assert_eq!(
            mpos_virtual_reader_process(reader.native_handle(), BLOCK),
            0
        );
        spent
    }
}

struct Row {
    state: &'static str,
    median: Duration,
    p99: Duration,
    max: Duration,
}

fn measure(state: &'static str, mut block: impl FnMut() -> Duration) -> Row {
    let mut times: Vec<Duration> = (0..BLOCKS).map(|_| block()).collect();
    times.sort();
    Row {
        state,
        median: times[BLOCKS / 2],
        p99: times[BLOCKS * 99 / 100],
        max: times[BLOCKS - 1],
    }
}

fn main() {
    let started = Instant::now();
    let mut rows = Vec::new();

    // Nothing answers: the power tone and the search for a reader.
    let searching = AudioJack::new(RATE, "Bench Phone".into(), BLOCK, None).unwrap();
    let silent = VirtualReader::new(RATE, 1, BLOCK);
    rows.push(measure("searching (no reader answers)", || {
        pump(&searching, &silent)
    }));

    // A reader answers: link up, keep-alives once a second.
    let jack = AudioJack::new(RATE, "Bench Phone".into(), BLOCK, None).unwrap();
    let reader = VirtualReader::new(RATE, 2, BLOCK);
    reader.plug_in();
    let mut waited = 0;
    while !jack.is_reader_connected() {
        pump(&jack, &reader);
        waited += 1;
        assert!(waited < 3_000, "no reader within 30 s of audio");
    }
    rows.push(measure("connected, link idle", || pump(&jack, &reader)));

    // The platform says the jack is empty: silence, no search.
    jack.set_headset(false);
    rows.push(measure("headset unplugged", || pump(&jack, &reader)));

    let budget = Duration::from_millis(10);
    let mut section = String::new();
    let _ = writeln!(section, "## Audio path per 10 ms block\n");
    let _ = writeln!(
        section,
        "Measured by `cargo bench -p mpos-ffi --bench audio_block` (release build, this 2-core machine, \
         {:.0} s): {BLOCKS} blocks of {BLOCK} frames at {} kHz per state, each one call of \
         `mpos_audio_jack_process` on the core's own buffers (what a shell's audio thread calls), \
         with the virtual reader behind a typical phone's analog paths on the far side. The JVM's \
         side of the same path (JNA and the direct buffers) is measured by the Android suite below.\n",
        started.elapsed().as_secs_f64(),
        RATE / 1000
    );
    let _ = writeln!(
        section,
        "| State | Median | p99 | Max | Median / 10 ms budget |"
    );
    let _ = writeln!(section, "|---|---:|---:|---:|---:|");
    for row in &rows {
        let _ = writeln!(
            section,
            "| {} | {:.1} µs | {:.1} µs | {:.1} µs | {:.2} % |",
            row.state,
            row.median.as_secs_f64() * 1e6,
            row.p99.as_secs_f64() * 1e6,
            row.max.as_secs_f64() * 1e6,
            100.0 * row.median.as_secs_f64() / budget.as_secs_f64()
        );
    }
    let _ = writeln!(section);
    print!("{section}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
    mpos_testkit::benchmark_report::write_section(&path, "audio", &section)
        .expect("write docs/benchmarks.md");
    eprintln!("wrote {}", path.display());
}
