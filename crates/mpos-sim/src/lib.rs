//! mpos-sim (work in progress).
