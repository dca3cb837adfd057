//! `harden baseline`: records the current findings (fingerprints, rules, paths; never a
//! secret) so that `harden scan --baseline FILE` reports only new ones.

use super::{Setup, setup};
use crate::baseline::{Baseline, DEFAULT_BASELINE};
use crate::cli::{BaselineArgs, EXIT_CLEAN};
use crate::error::HardenError;
use crate::report::text::plural;
use crate::scan::{ScanOptions, scan};
use std::io::Write;
use std::path::PathBuf;

/// Runs `harden baseline`.
pub fn run(args: &BaselineArgs, out: &mut dyn Write) -> Result<u8, HardenError> {
    let Setup {
        rules,
        exclude,
        max_file_size,
        ..
    } = setup(&args.path, &args.rules, &args.exclude, &args.disable, None)?;
    let options = ScanOptions {
        root: args.path.clone(),
        exclude,
        max_file_size,
        show_secrets: false,
        threads: 0,
    };
    let report = scan(&rules, &options)?;
    let baseline = Baseline::of(&report.findings);
    let target = args
        .output
        .clone()
        .unwrap_or_else(|| args.path.join(DEFAULT_BASELINE));
    std::fs::write(&target, baseline.to_json()).map_err(|source| HardenError::Unwritable {
        path: target.clone(),
        source,
    })?;
    writeln!(
        out,
        "wrote {} ({})",
        target.display(),
        plural(baseline.findings.len(), "finding")
    )
    .map_err(|source| HardenError::Unwritable {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    Ok(EXIT_CLEAN)
}
