//! One test's world: the gateway process, the real loopback SMTP server it
//! mails through, the fake SMS provider it texts through, and the merchant
//! administrator's API.

use crate::gateway_process::{GatewayOptions, GatewayProcess};
use crate::phone::{Phone, PhoneOptions};
use mpos_core::{Screen, UserAction};
use mpos_testkit::sms_provider::MESSAGES_PATH;
use mpos_testkit::{FakeSmsProvider, ReceivedMail, SmsMessage, SmtpServer};
use mpos_wire::api::{
    paths, AdminUser, BatchList, BatchSummary, CreateUserRequest, Limits, TransactionList,
    TransactionSummary, TxnStatus, UserList,
};
use mpos_wire::{ApiError, Money};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The 6-digit password every test user sets at first login.
pub const NEW_PASSWORD: &str = "246810";

/// How long an e-mail or SMS may take to arrive.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

const SMS_TOKEN: &str = "e2e-sms-token";

/// What a new phone user learns from the activation e-mail and SMS.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user as the administrator created it.
    pub user: AdminUser,
    /// Account name, read from the e-mail.
    pub username: String,
    /// Default password, read from the e-mail.
    pub default_password: String,
    /// Activation code, read from the SMS.
    pub activation_code: String,
}

/// A gateway process with its SMTP server and SMS provider.
pub struct World {
    /// The gateway binary, running.
    pub gateway: GatewayProcess,
    /// Every e-mail the gateway sends arrives here.
    pub smtp: SmtpServer,
    /// Every SMS the gateway sends arrives here.
    pub sms: FakeSmsProvider,
    next_user: AtomicU32,
}

/// Generous limits, for tests that are not about limits.
pub fn roomy_limits() -> Limits {
    limits(50_000, 500_000)
}

/// Limits in whole NT$ (refunds share the per-transaction limit).
pub fn limits(per_transaction_dollars: u64, per_day_dollars: u64) -> Limits {
    Limits {
        per_transaction: dollars(per_transaction_dollars),
        per_day: dollars(per_day_dollars),
        refund_per_transaction: None,
    }
}

/// Whole NT$ as money.
pub fn dollars(dollars: u64) -> Money {
    Money::twd_dollars(dollars).expect("test amounts fit")
}

/// Parses an RFC 3339 time from the API.
pub fn parse_time(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap_or_else(|e| panic!("time {text:?}: {e}"))
}

impl World {
    /// A world with the default gateway options.
    pub async fn start() -> World {
        World::start_with(GatewayOptions::default()).await
    }

    /// A world whose gateway runs with `options` (SMTP and SMS are filled in).
    pub async fn start_with(options: GatewayOptions) -> World {
        let smtp = SmtpServer::start().await.expect("SMTP server");
        let sms = FakeSmsProvider::start(Some(SMS_TOKEN.to_string()))
            .await
            .expect("SMS provider");
        let gateway = GatewayProcess::start(&GatewayOptions {
            smtp_port: Some(smtp.addr().port()),
            sms_url: Some(format!("{}{}", sms.url(), MESSAGES_PATH)),
            sms_token: Some(SMS_TOKEN.to_string()),
            ..options
        })
        .await;
        World {
            gateway,
            smtp,
            sms,
            next_user: AtomicU32::new(1),
        }
    }

    /// A new phone with its own reader and storage, pinned to this gateway.
    pub fn phone(&self) -> Phone {
        Phone::start(PhoneOptions::pinned_to(&self.gateway))
    }

    /// A phone started with custom options.
    pub fn phone_with(&self, options: PhoneOptions) -> Phone {
        Phone::start(options)
    }

    /// The administrator adds a phone user; the credentials are read from
    /// the activation e-mail and SMS the user receives.
    pub async fn create_user(&self, limits: Limits) -> Credentials {
        let n = self.next_user.fetch_add(1, Ordering::SeqCst);
        let email = format!("cashier{n}@shop.example.tw");
        let phone = format!("0911{n:06}");
        let user = self
            .try_create_user(&CreateUserRequest {
                name: format!("收銀員 Cashier {n}"),
                phone: phone.clone(),
                email: email.clone(),
                username: None,
                limits,
            })
            .await
            .unwrap_or_else(|e| panic!("create user: {e}"));
        let mail = self.wait_for_mail_to(&email, |_| true).await;
        let body = mail.text_body().expect("activation e-mail text");
        let username = mpos_testkit::activation::account_name(&body).unwrap_or_else(|e| {
            panic!("activation e-mail lacks the account line ({e}); the body was:\n{body}")
        });
        let default_password =
            mpos_testkit::activation::default_password(&body).unwrap_or_else(|e| {
                panic!("activation e-mail lacks the default password line ({e}); the body was:\n{body}")
            });
        let sms = self.wait_for_sms_to(&phone, |_| true).await;
        let activation_code = mpos_testkit::activation::activation_code(&sms.message)
            .unwrap_or_else(|e| {
                panic!(
                    "activation SMS lacks the code ({e}); it was: {}",
                    sms.message
                )
            });
        assert_eq!(
            username, user.username,
            "the e-mail names the account created"
        );
        Credentials {
            user,
            username,
            default_password,
            activation_code,
        }
    }

    /// `POST /v1/admin/users`.
    pub async fn try_create_user(
        &self,
        request: &CreateUserRequest,
    ) -> Result<AdminUser, ApiError> {
        let response = self
            .gateway
            .http()
            .post(self.gateway.url(paths::ADMIN_USERS))
            .bearer_auth(&self.gateway.admin_token)
            .json(request)
            .send()
            .await
            .expect("admin API reachable");
        if response.status().is_success() {
            Ok(response.json().await.expect("AdminUser JSON"))
        } else {
            Err(response.json().await.expect("ApiError JSON"))
        }
    }

    /// A user whose first login is done on a new phone, now on the home screen.
    pub async fn active_phone(&self, limits: Limits) -> (Phone, Credentials) {
        self.active_phone_with(limits, |options| options).await
    }

    /// Like [`World::active_phone`], with changed phone options.
    pub async fn active_phone_with(
        &self,
        limits: Limits,
        change: impl FnOnce(PhoneOptions) -> PhoneOptions,
    ) -> (Phone, Credentials) {
        let credentials = self.create_user(limits).await;
        let phone = Phone::start(change(PhoneOptions::pinned_to(&self.gateway)));
        phone.plug_in().await;
        let screen = phone.first_login(&credentials).await;
        assert!(
            matches!(screen, Screen::Home { .. }),
            "first login ends at home, got {screen:?}"
        );
        (phone, credentials)
    }

    /// A second phone of the same user, logged in with the 6-digit password.
    pub async fn second_phone(&self, credentials: &Credentials) -> Phone {
        let phone = self.phone();
        phone.plug_in().await;
        let screen = phone
            .act(UserAction::Login {
                username: credentials.username.clone(),
                password: NEW_PASSWORD.into(),
            })
            .await;
        assert!(
            matches!(screen, Screen::Home { .. }),
            "the second phone logs in, got {screen:?}"
        );
        phone
    }

    async fn admin_get<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self
            .gateway
            .http()
            .get(self.gateway.url(path))
            .bearer_auth(&self.gateway.admin_token)
            .send()
            .await
            .expect("admin API reachable");
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.expect("admin API JSON")
    }

    /// Every transaction, settled or not, as the merchant portal lists them.
    pub async fn transactions(&self) -> Vec<TransactionSummary> {
        self.admin_get::<TransactionList>(paths::ADMIN_TRANSACTIONS)
            .await
            .transactions
    }

    /// One transaction from the portal's list.
    pub async fn transaction(&self, id: &str) -> TransactionSummary {
        self.transactions()
            .await
            .into_iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("the portal lists transaction {id}"))
    }

    /// The one transaction of `amount`, once it is no longer pending, looked
    /// at no earlier than `not_before` (when a slow issuer has answered).
    pub async fn final_state_of(&self, amount: Money, not_before: Instant) -> TransactionSummary {
        tokio::time::sleep_until(not_before.into()).await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let candidates: Vec<TransactionSummary> = self
                .transactions()
                .await
                .into_iter()
                .filter(|t| t.amount == amount)
                .collect();
            assert!(
                candidates.len() <= 1,
                "one request, one transaction: {candidates:?}"
            );
            let late = Instant::now() > deadline;
            match candidates.into_iter().next() {
                Some(found) if found.status != TxnStatus::Pending || late => return found,
                Some(_) => {}
                None => assert!(!late, "the gateway has no record of the {amount} sale"),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every settlement batch.
    pub async fn batches(&self) -> Vec<BatchSummary> {
        self.admin_get::<BatchList>(paths::ADMIN_BATCHES)
            .await
            .batches
    }

    /// A phone user by account name, as the administrator sees it.
    pub async fn user_named(&self, username: &str) -> AdminUser {
        let users: UserList = self.admin_get(paths::ADMIN_USERS).await;
        users
            .users
            .into_iter()
            .find(|u| u.username == username)
            .unwrap_or_else(|| panic!("no phone user named {username}"))
    }

    /// A phone user by id, as the administrator sees it.
    pub async fn user(&self, id: &str) -> AdminUser {
        self.admin_get::<UserList>(paths::ADMIN_USERS)
            .await
            .users
            .into_iter()
            .find(|u| u.id == id)
            .unwrap_or_else(|| panic!("the portal lists user {id}"))
    }

    /// The first e-mail to `to` that `matches`, waiting for it.
    pub async fn wait_for_mail_to(
        &self,
        to: &str,
        matches: impl Fn(&ReceivedMail) -> bool,
    ) -> ReceivedMail {
        self.smtp
            .wait_for_message(
                |mail| mail.to.iter().any(|t| t == to) && matches(mail),
                DELIVERY_TIMEOUT,
            )
            .await
            .unwrap_or_else(|e| panic!("no matching e-mail to {to}: {e}"))
    }

    /// The first SMS to `number` (any national or +886 form) that `matches`, waiting for it.
    pub async fn wait_for_sms_to(
        &self,
        number: &str,
        matches: impl Fn(&SmsMessage) -> bool,
    ) -> SmsMessage {
        let national = number.trim_start_matches('0').to_string();
        self.sms
            .wait_for_message(
                |sms| sms.to.ends_with(&national) && matches(sms),
                DELIVERY_TIMEOUT,
            )
            .await
            .unwrap_or_else(|e| panic!("no matching SMS to {number}: {e}"))
    }
}
