//! Authentication: phone users' passwords, lockout, activation codes and
//! sessions; administrators' API tokens and second factor.

pub mod activation;
pub mod admin_token;
pub mod handlers;
pub mod lockout;
pub mod password;
pub mod second_factor;
pub mod session;
pub mod unknown_names;
