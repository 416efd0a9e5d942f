//! Phone-user authentication: passwords, lockout, activation codes,
//! sessions, and the admin token.

pub mod activation;
pub mod admin_token;
pub mod handlers;
pub mod lockout;
pub mod password;
pub mod session;
pub mod unknown_names;
