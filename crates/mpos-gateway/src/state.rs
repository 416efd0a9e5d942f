//! What every request handler shares.

use crate::auth::password::Passwords;
use crate::auth::unknown_names::UnknownNames;
use crate::clock::{Clock, TestClock};
use crate::config::GatewayConfig;
use crate::hsm::Hsm;
use crate::issuer::Issuer;
use crate::notify::mail::Mailer;
use crate::notify::sms::SmsSender;
use crate::rate_limits::RateLimits;
use crate::settlement::business_date::Cutoff;
use crate::store::Store;
use std::ops::Deref;
use std::sync::Arc;

/// Shared state of the running gateway (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`].
pub struct Shared {
    /// Who answers authorizations.
    pub issuer: Arc<dyn Issuer>,
    /// Storage.
    pub store: Arc<Store>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The settable clock, when started with `--test-clock`.
    pub test_clock: Option<Arc<TestClock>>,
    /// Configuration.
    pub config: GatewayConfig,
    /// Business-date cut-off and automatic settlement time.
    pub cutoff: Cutoff,
    /// HSM module.
    pub hsm: Hsm,
    /// E-mail.
    pub mailer: Mailer,
    /// SMS.
    pub sms: SmsSender,
    /// Base of receipt URLs, without a trailing slash.
    pub public_base_url: String,
    /// Rate limits' buckets.
    pub rate_limits: RateLimits,
    /// Failed logins for names no account has.
    pub unknown_names: UnknownNames,
    /// Password and activation-code hashing under the pepper.
    pub passwords: Passwords,
}

impl AppState {
    /// Wraps the shared parts.
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }

    /// The hosted receipt page of a receipt token.
    pub fn receipt_url(&self, token: &str) -> String {
        format!("{}/r/{token}", self.public_base_url)
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
