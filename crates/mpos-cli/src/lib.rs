//! mpos-cli (work in progress).
