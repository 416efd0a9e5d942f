//! The shells' audio path, played in Rust exactly as a shell plays it:
//! samples move by address between the app's `AudioJack` and the
//! `VirtualReader`, each block through the plain C entry points, and the
//! app finds the reader and shows it on its login screen.

use mpos_core::view::{Locale, ScreenId};
use mpos_core::AppConfig;
use mpos_ffi::{mpos_audio_jack_process, AudioJack, MposApp};
use mpos_ffi_testing::{mpos_virtual_reader_process, VirtualReader};
use std::time::{Duration, Instant};

const RATE: u32 = 48_000;
const BLOCK: u32 = 480;

/// One 10 ms block: the app's headphones to the reader, the reader's line
/// to the app's microphone, as a shell's pump copies them.
fn pump(jack: &AudioJack, reader: &VirtualReader) {
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
        assert_eq!(mpos_audio_jack_process(jack.native_handle(), BLOCK), 0);
    }
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
fn the_app_finds_the_reader_through_the_shells_audio_path() {
    let dir = tempfile::tempdir().unwrap();
    let jack = AudioJack::new(RATE, "Test Phone".into(), BLOCK, None).unwrap();
    let reader = VirtualReader::new(RATE, 7, BLOCK);
    let app = MposApp::new(config(&dir), jack.clone()).unwrap();
    assert_eq!(app.view().screen, ScreenId::Login);
    assert_eq!(
        app.view().status[0].value,
        "Not connected: plug in the reader"
    );
    assert_eq!(jack.link_profile(), None);

    reader.plug_in();
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.view().status[0].value != "Connected" {
        assert!(
            Instant::now() < deadline,
            "no reader: {:?}",
            app.view().status
        );
        // Faster than real time: the link is clocked by samples.
        for _ in 0..10 {
            pump(&jack, &reader);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let profile = jack.link_profile().expect("the link learned this phone");
    assert!(profile.contains("Test Phone"), "{profile}");

    // The platform says the headset was pulled: gone at once, no waiting.
    jack.set_headset(false);
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.view().status[0].value == "Connected" {
        assert!(Instant::now() < deadline, "still connected");
        std::thread::sleep(Duration::from_millis(5));
    }
}
