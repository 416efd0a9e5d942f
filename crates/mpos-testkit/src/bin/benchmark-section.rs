//! `benchmark-section NAME [REPORT]`: puts standard input between NAME's
//! markers in the report (default `docs/benchmarks.md`), so benchmarks
//! written in shell, Kotlin or Swift share one way of updating it.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(name) = args.next() else {
        eprintln!("usage: benchmark-section NAME [REPORT] < SECTION");
        return ExitCode::from(2);
    };
    let report = PathBuf::from(args.next().unwrap_or_else(|| "docs/benchmarks.md".into()));
    let mut section = String::new();
    if let Err(error) = std::io::stdin().read_to_string(&mut section) {
        eprintln!("benchmark-section: cannot read the section: {error}");
        return ExitCode::FAILURE;
    }
    if section.trim().is_empty() {
        eprintln!(
            "benchmark-section: the section for {name} is empty; the report is left as it was"
        );
        return ExitCode::FAILURE;
    }
    if !section.ends_with('\n') {
        section.push('\n');
    }
    match mpos_testkit::benchmark_report::write_section(&report, &name, &section) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!(
                "benchmark-section: cannot write {}: {error}",
                report.display()
            );
            ExitCode::FAILURE
        }
    }
}
