//! The phone's pure data: what the flows read and decide on. No I/O lives
//! here; the I/O modules (`host`, `journal`, `reader`) produce and consume
//! these types, and the flows never import those modules.

pub mod host_error;
pub mod in_flight;
pub mod reader;
pub mod screen;
pub mod self_check;
pub mod session;
pub mod timer;
pub mod user_action;
