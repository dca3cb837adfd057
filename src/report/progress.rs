//! The progress bar of long scans (history): commits done, total and rate, on standard
//! error, only when it is a terminal or when asked.

use crate::discover::history::Progress;
use std::time::Duration;

/// A progress bar, or nothing.
pub struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
    unit: &'static str,
}

impl ProgressBar {
    /// A bar counting `unit`s, drawn only if `enabled`.
    pub fn new(enabled: bool, unit: &'static str) -> ProgressBar {
        let bar = enabled.then(|| {
            let bar = indicatif::ProgressBar::hidden();
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar
        });
        ProgressBar { bar, unit }
    }
}

impl Progress for ProgressBar {
    fn start(&self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            let template = format!(
                "{{spinner}} {{pos}}/{{len}} {} [{{bar:30}}] {{per_sec}} eta {{eta}}",
                self.unit
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    fn advance(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
