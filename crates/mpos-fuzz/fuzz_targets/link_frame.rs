//! The reader link's frame and message parsers: any bytes from the audio
//! demodulator either parse or fail with an error, never a panic; a message
//! that parses encodes back to a payload that decodes to the same message.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = mpos_link::parse_frame(data);
    if let Ok((frame, message)) = mpos_link::parse_message(data) {
        let mut payload = Vec::new();
        message
            .encode_payload(&mut payload)
            .expect("a parsed message encodes");
        let again = mpos_link::Message::decode(frame.frame_type, &payload).expect("a re-encoded message decodes");
        assert_eq!(again, message);
    }
});
