//! mpos-testkit (work in progress).
