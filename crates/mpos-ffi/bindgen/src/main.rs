//! `uniffi-bindgen`: generates the Kotlin and Swift bindings of the phone
//! library in library mode, from an unstripped build (a stripped one has
//! no UniFFI metadata).

fn main() {
    uniffi::uniffi_bindgen_main()
}
