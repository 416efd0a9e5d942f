//! mpos-core: the phone's brain.

pub mod reader;
