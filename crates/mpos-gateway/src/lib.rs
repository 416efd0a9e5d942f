//! mpos-gateway (work in progress).
