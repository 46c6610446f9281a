//! A spinner on standard error for a step that takes more than a second (loading the
//! data, running the rules): only on a terminal, never with `--quiet`, `--error-format
//! json` or `TERM=dumb`, and cleared when the step ends, so logs and pipes never see
//! it.

use super::GlobalArgs;
use std::io::IsTerminal as _;
use std::time::Duration;

/// The spinner of one step; it stops and clears itself when dropped.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

/// How long a step runs before its spinner shows; `FACTLINT_PROGRESS_DELAY_MS`
/// changes it (a test shows the spinner at once).
fn delay() -> Duration {
    std::env::var("FACTLINT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

impl Progress {
    pub fn start(global: &GlobalArgs, message: &str) -> Progress {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let json = global.error_format == crate::diag::diagnostic::ErrorFormat::Json;
        if global.quiet || json || dumb || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        let wait = delay();
        if wait.is_zero() {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
            return Progress { bar: Some(bar) };
        }
        let shown = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(wait);
            if !shown.is_finished() {
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Progress { bar: Some(bar) }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
