//! The terminal's drawing of a `ScreenView`: the core's view model laid out
//! as a framed block of text. Every word and value comes from the view;
//! this file only arranges them (a shell for the terminal, like the Kotlin
//! and Swift ones).

use mpos_core::view::{InputKind, QrView, ScreenView, SignaturePadView};
use std::fmt::Write;

const WIDTH: usize = 64;

/// The view as a framed block of text.
pub fn render_screen(view: &ScreenView) -> String {
    let mut body = Vec::new();
    for line in &view.status {
        body.push(format!("{}: {}", line.label, line.value));
    }
    if let Some(message) = &view.message {
        body.push(format!("! {}", message.text));
    }
    if let Some(prompt) = &view.prompt {
        body.push(prompt.clone());
    }
    for field in &view.fields {
        body.push(format!("{}: {}", field.label, field.value));
    }
    if let Some(qr) = &view.qr {
        body.extend(qr_lines(qr));
        body.push(qr.caption.clone());
    }
    if let Some(pad) = &view.signature {
        body.extend(pad_lines(pad));
    }
    if let Some(pad) = &view.pin_pad {
        body.push(format!("{}: {}", pad.label, pad.dots));
        // Rows of three, the tenth key alone in the middle of the fourth.
        for row in pad.keys.chunks(3) {
            let keys: Vec<String> = row.iter().map(|key| format!("[{}]", key.label)).collect();
            let indent = if row.len() == 1 { "    " } else { "" };
            body.push(format!("{indent}{}", keys.join(" ")));
        }
    }
    for input in &view.inputs {
        let shown = match input.kind {
            InputKind::Password | InputKind::DigitPassword => "______".to_string(),
            _ if input.value.is_empty() => "______".to_string(),
            _ => input.value.clone(),
        };
        body.push(format!("{}: {shown}", input.label));
    }
    if let Some(choice) = &view.choice {
        let options: Vec<String> = choice
            .options
            .iter()
            .map(|option| {
                if option.selected {
                    format!("({})", option.label)
                } else {
                    option.label.clone()
                }
            })
            .collect();
        body.push(format!("{}: {}", choice.label, options.join("  ")));
    }
    for row in &view.rows {
        body.push(format!("> {}   {}", row.title, row.trailing));
        body.push(format!("  {}", row.detail));
    }
    if view.rows.is_empty() {
        body.extend(view.empty_rows.clone());
    }
    for check in &view.checks {
        body.push(format!(
            "[{}] {}: {}",
            check.state_text, check.label, check.value
        ));
        if let Some(advice) = &check.advice {
            body.push(format!("    -> {advice}"));
        }
    }
    if !view.buttons.is_empty() {
        let buttons: Vec<String> = view
            .buttons
            .iter()
            .map(|button| format!("[{}]", button.label))
            .collect();
        body.push(buttons.join(" "));
    }
    if let Some(busy) = &view.busy {
        let cancel = busy
            .cancel
            .as_ref()
            .map(|button| format!("  [{}]", button.label))
            .unwrap_or_default();
        body.push(format!("... {}{cancel}", busy.text));
    }
    let title = match &view.subtitle {
        Some(subtitle) => format!("{}  {subtitle}", view.title),
        None => view.title.clone(),
    };
    frame(&title, &body)
}

/// The QR code in half-height blocks, with its quiet zone.
fn qr_lines(qr: &QrView) -> Vec<String> {
    let size = qr.size as i64;
    let dark = |x: i64, y: i64| {
        if x < 0 || y < 0 || x >= size || y >= size {
            return false;
        }
        let i = (y * size + x) as usize;
        qr.modules
            .get(i / 8)
            .is_some_and(|byte| byte >> (7 - i % 8) & 1 == 1)
    };
    (-2..size + 2)
        .step_by(2)
        .map(|y| {
            (-2..size + 2)
                .map(|x| match (dark(x, y), dark(x, y + 1)) {
                    (true, true) => ' ',
                    (true, false) => '▄',
                    (false, true) => '▀',
                    (false, false) => '█',
                })
                .collect()
        })
        .collect()
}

/// The signature pad as a small grid of the strokes' points.
fn pad_lines(pad: &SignaturePadView) -> Vec<String> {
    const COLUMNS: usize = 40;
    const ROWS: usize = 6;
    let mut grid = vec![vec!['.'; COLUMNS]; ROWS];
    for point in pad.strokes.iter().flat_map(|stroke| &stroke.points) {
        let x = (usize::from(point.x) * (COLUMNS - 1) / 1000).min(COLUMNS - 1);
        let y = (usize::from(point.y) * (ROWS - 1) / 1000).min(ROWS - 1);
        grid[y][x] = '*';
    }
    let mut lines: Vec<String> = grid
        .into_iter()
        .map(|row| row.into_iter().collect())
        .collect();
    if pad.strokes.is_empty() {
        lines.push(pad.hint.clone());
    }
    lines
}

fn frame(title: &str, body: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "+{}+", "-".repeat(WIDTH));
    let _ = writeln!(out, "| {title}");
    let _ = writeln!(out, "+{}+", "-".repeat(WIDTH));
    for line in body {
        let _ = writeln!(out, "| {line}");
    }
    let _ = write!(out, "+{}+", "-".repeat(WIDTH));
    out
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
