//! What the demo prints: every screen as the user sees it, or one JSON
//! object per step (`{"step": NAME, "ok": true|false, ...}`).

use crate::render::render_screen;
use mpos_core::view::{Locale, ScreenView};
use serde_json::{Map, Value};
use std::io::Write;
use std::sync::Mutex;

/// Where the demo's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The screens, as text.
    Screens,
    /// One JSON object per line and step.
    Json,
    /// Nothing (benchmarks time the same code paths).
    Quiet,
}

/// Prints steps and screens, and remembers whether every step was ok.
pub struct Report {
    output: Output,
    locale: Locale,
    failures: Mutex<Vec<String>>,
}

impl Report {
    /// A report printing to stdout, screens in `locale`.
    pub fn new(output: Output, locale: Locale) -> Report {
        Report {
            output,
            locale,
            failures: Mutex::new(Vec::new()),
        }
    }

    /// The language of the phones' screens.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// A screen the user now sees, after `cause`.
    pub fn screen(&self, phone: &str, cause: &str, view: &ScreenView) {
        if self.output == Output::Screens {
            println!("\n[{phone}] after {cause}:\n{}", render_screen(view));
        }
    }

    /// Something done with the hands (card inserted, reader plugged in).
    pub fn hands(&self, phone: &str, what: &str) {
        if self.output == Output::Screens {
            println!("\n[{phone}] cardholder {what}");
        }
    }

    /// The start of a step.
    pub fn begin(&self, step: &str, what: &str) {
        if self.output == Output::Screens {
            println!("\n==================== {step}: {what} ====================");
        }
    }

    /// A finished step and its facts.
    pub fn step(&self, step: &str, ok: bool, facts: Map<String, Value>) {
        if !ok {
            self.failures
                .lock()
                .expect("report lock")
                .push(step.to_string());
        }
        let mut line = Map::new();
        line.insert("step".into(), Value::from(step));
        line.insert("ok".into(), Value::from(ok));
        line.extend(facts);
        let line = Value::Object(line);
        match self.output {
            Output::Json => println!("{line}"),
            Output::Screens => {
                println!("\n--> {step}: {} {line}", if ok { "OK" } else { "FAILED" })
            }
            Output::Quiet => {}
        }
        let _ = std::io::stdout().flush();
    }

    /// Steps that were not ok.
    pub fn failures(&self) -> Vec<String> {
        self.failures.lock().expect("report lock").clone()
    }
}
