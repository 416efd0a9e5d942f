//! `mpos bench`: times the phone's real paths against the embedded gateway
//! (loopback TLS, SQLite file, argon2id) and writes `docs/benchmarks.md`.
//!
//! Every figure is measured in one run on one machine, so the ratios between
//! them hold even where the absolute numbers do not.

use crate::demo::{DemoError, Output, Report};
use crate::environment::Environment;
use crate::phone::Phone;
use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_wire::api::{CreateUserRequest, Limits};
use mpos_wire::{Brand, Money};
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "135790";

/// How many times each path runs.
#[derive(Debug, Clone, Copy)]
pub struct BenchPlan {
    /// Chip sales timed (each also settles at the end).
    pub sales: usize,
    /// Logins timed.
    pub logins: usize,
}

/// Timings of one path.
struct Series {
    name: &'static str,
    what: &'static str,
    samples: Vec<Duration>,
}

impl Series {
    fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted[index]
    }

    fn median(&self) -> Duration {
        self.quantile(0.5)
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

/// Markers around this benchmark's section of `docs/benchmarks.md`; the
/// other benchmarks own the other sections.
/// Puts `section` in this benchmark's part of the report at `path`.
pub fn write_section(path: &std::path::Path, section: &str) -> std::io::Result<()> {
    let section = format!("## Phone to gateway, end to end\n\n{section}");
    mpos_testkit::benchmark_report::write_section(path, "app", &section)
}

/// Runs the plan and returns the Markdown report.
pub async fn run(plan: BenchPlan) -> Result<String, DemoError> {
    let environment = Environment::start().await?;
    let report = Arc::new(Report::new(
        Output::Quiet,
        mpos_core::view::Locale::default(),
    ));
    let user = environment
        .create_user(&CreateUserRequest {
            name: "Bench".into(),
            phone: "0911111111".into(),
            email: "bench@shop.example.tw".into(),
            username: None,
            limits: Limits {
                per_transaction: Money::twd_minor(10_000_000),
                per_day: Money::twd_minor(1_000_000_000),
                refund_per_transaction: None,
            },
        })
        .await?;
    let (account, default_password) = environment.activation_mail(&user.email).await?;
    let code = environment.activation_sms(&user.phone).await?;
    let gateway = &environment.gateway;
    let phone = Phone::new(
        "bench",
        gateway.base_url(),
        gateway.cert_pem.clone(),
        gateway.spki_sha256_hex.clone(),
        7,
        None,
        report,
    )?;
    phone.plug_in_reader().await?;
    phone
        .act(UserAction::Login {
            username: account.clone(),
            password: default_password,
        })
        .await;
    phone.act(UserAction::SubmitActivationCode { code }).await;
    let home = phone
        .act(UserAction::SetNewPassword {
            password: PASSWORD.into(),
            confirmation: PASSWORD.into(),
        })
        .await;
    if !matches!(home, Screen::Home { .. }) {
        return Err(DemoError::Unexpected(format!(
            "first login ended on {home:?}"
        )));
    }

    let mut logins = Series {
        name: "login",
        what: "Log in (argon2id verify, session, terminal configuration)",
        samples: Vec::new(),
    };
    for _ in 0..plan.logins {
        phone.act(UserAction::Logout).await;
        let started = Instant::now();
        let screen = phone
            .act(UserAction::Login {
                username: account.clone(),
                password: PASSWORD.into(),
            })
            .await;
        logins.samples.push(started.elapsed());
        if !matches!(screen, Screen::Home { .. }) {
            return Err(DemoError::Unexpected(format!("login ended on {screen:?}")));
        }
    }

    let mut sales = Series {
        name: "chip_sale",
        what: "Chip sale: card inserted to receipt screen (DUKPT open, limits, issuer, journal)",
        samples: Vec::new(),
    };
    let mut last_sale = None;
    for _ in 0..plan.sales {
        phone.act(UserAction::StartSale).await;
        phone.act(UserAction::EnterAmount { dollars: 100 }).await;
        phone
            .act(UserAction::ChooseBrand { brand: Brand::Visa })
            .await;
        phone.act(UserAction::PayNow).await;
        let started = Instant::now();
        let screen = phone
            .insert(CardId::VisaChipApproved, "receipt", |s| {
                matches!(
                    s,
                    Screen::Receipt { .. }
                        | Screen::Declined { .. }
                        | Screen::OutcomeUnknown { .. }
                )
            })
            .await?;
        sales.samples.push(started.elapsed());
        let Screen::Receipt { transaction, .. } = screen else {
            return Err(DemoError::Unexpected(format!("sale ended on {screen:?}")));
        };
        last_sale = Some(transaction);
        phone.remove_card();
        phone.act(UserAction::FinishReceipt).await;
    }

    phone.act(UserAction::OpenTransactions).await;
    let started = Instant::now();
    phone
        .act(UserAction::EnterQueryPassword {
            password: PASSWORD.into(),
        })
        .await;
    let query_password = started.elapsed();
    let mut voids = Series {
        name: "void",
        what: "Void now on the sale details",
        samples: Vec::new(),
    };
    if let Some(sale) = last_sale {
        let criteria = mpos_wire::api::TransactionSearch {
            auth_code: sale.auth_code.clone(),
            ..Default::default()
        };
        phone.act(UserAction::Search { criteria }).await;
        phone
            .act(UserAction::OpenTransaction {
                id: sale.id.clone(),
            })
            .await;
        let started = Instant::now();
        let screen = phone.act(UserAction::VoidNow).await;
        voids.samples.push(started.elapsed());
        if !matches!(screen, Screen::VoidDone { .. }) {
            return Err(DemoError::Unexpected(format!("void ended on {screen:?}")));
        }
        phone.act(UserAction::BackToDetails).await;
        phone.act(UserAction::Back).await;
    }
    let started = Instant::now();
    let review = phone.act(UserAction::EnterSettlement).await;
    let preview_time = started.elapsed();
    let started = Instant::now();
    let done = phone.act(UserAction::SettleNow).await;
    let settle_time = started.elapsed();
    let Screen::SettlementDone { batch } = done else {
        return Err(DemoError::Unexpected(format!(
            "settlement ended on {done:?} after {review:?}"
        )));
    };
    environment.gateway.shutdown().await;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Measured by `cargo run --release -p mpos-cli -- bench` (one run on a {}-core machine). Each path \
         runs through `mpos-core`'s `MposApp` and the audio-jack driver, over simulated phone audio in real \
         time to the virtual reader device, against the embedded gateway: real TLS on loopback, a real SQLite \
         file, argon2id, and the loopback SMTP server and SMS provider. Medians and 95th percentiles are of \
         the wall time of one user action, so reader round trips over audio are included.\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let _ = writeln!(out, "### Round trips\n");
    let _ = writeln!(
        out,
        "| Path | Runs | Median (ms) | p95 (ms) | Min (ms) |\n|---|---|---|---|---|"
    );
    for series in [&logins, &sales, &voids] {
        if series.samples.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "| {}: {} | {} | {} | {} | {} |",
            series.name,
            series.what,
            series.samples.len(),
            ms(series.median()),
            ms(series.quantile(0.95)),
            ms(series.quantile(0.0))
        );
    }
    let _ = writeln!(
        out,
        "| query_password: re-enter the password (argon2id) | 1 | {} | | |",
        ms(query_password)
    );
    let _ = writeln!(
        out,
        "| settlement_preview: Enter settlement | 1 | {} | | |",
        ms(preview_time)
    );
    let _ = writeln!(
        out,
        "| settle: Settle now, closing {} captures into one batch | 1 | {} | | |",
        batch.totals.count,
        ms(settle_time)
    );
    let _ = writeln!(out, "\n### Ratios (same run)\n");
    let ratio = sales.median().as_secs_f64() / logins.median().as_secs_f64().max(f64::EPSILON);
    let _ = writeln!(
        out,
        "- A chip sale takes {ratio:.1}x a login: the sale's frames cross the jack twice (the card read, \
         then the online result and the chip's second GENERATE AC) at the link's bit rates, while the \
         gateway's own work (DUKPT, ARQC, limits, journal) is a few milliseconds; a login's cost is \
         argon2id, slow on purpose."
    );
    let throughput = 1.0 / sales.median().as_secs_f64().max(f64::EPSILON);
    let _ = writeln!(
        out,
        "- One phone completes about {throughput:.1} chip sales per second end to end, reader link included."
    );
    Ok(out)
}
