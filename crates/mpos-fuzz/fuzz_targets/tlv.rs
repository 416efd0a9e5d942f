//! The strict BER-TLV codec: any bytes either parse or fail with an error
//! (never a panic), and whatever parses encodes back to bytes that parse to
//! the same objects.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mpos_crypto::tlv;

fuzz_target!(|data: &[u8]| {
    if let Ok(objects) = tlv::parse(data) {
        let encoded = tlv::encode(&objects);
        let reparsed = tlv::parse(&encoded).expect("an encoding of parsed objects parses");
        assert_eq!(reparsed, objects);
    }
});
