//! `harden fix`: scans, plans the fixes the rules offer, and prints them as a unified diff
//! (paths relative to the root: `git apply` accepts it) or, with `--apply`, writes them.
//! Advice that no edit can carry out (rotate a credential, purge history) goes to stderr.

use super::{Setup, scan_root, setup};
use crate::cli::{EXIT_CLEAN, EXIT_FINDINGS, FixArgs};
use crate::error::HardenError;
use crate::fix::Applicability;
use crate::fix::apply::apply;
use crate::fix::diff::unified_diff;
use crate::fix::plan::{FixOptions, plan};
use crate::fix::redaction::{mask_secrets, secrets_in};
use crate::fix::strategy::attach_gitignore_fixes;
use crate::report::text::plural;
use crate::scan::{ScanOptions, scan};
use std::io::Write;
use std::path::PathBuf;

/// Runs `harden fix`.
pub fn run(args: &FixArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, HardenError> {
    let Setup {
        rules,
        exclude,
        max_file_size,
        ..
    } = setup(
        &args.path,
        &args.rules,
        &args.exclude,
        &args.disable,
        args.max_file_size.map(|size| size.0),
    )?;
    for id in &args.rule {
        if rules.get(id).is_none() {
            return Err(HardenError::UnknownRule { id: id.clone() });
        }
    }
    let options = ScanOptions {
        root: args.path.clone(),
        exclude,
        max_file_size,
        show_secrets: false,
        threads: args.threads,
    };
    let mut report = scan(&rules, &options)?;
    let root = scan_root(&args.path);
    attach_gitignore_fixes(root, &mut report.findings, &rules);
    let selection = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        display_fixes: false,
        rules: args.rule.clone(),
    };
    let planned = plan(root, &report.findings, &selection);
    let unsafe_left = if args.unsafe_fixes {
        0
    } else {
        report
            .findings
            .iter()
            .filter(|finding| {
                finding
                    .fix
                    .as_ref()
                    .is_some_and(|fix| fix.applicability == Applicability::Unsafe)
            })
            .count()
    };
    let stdout_error = |source| HardenError::Unwritable {
        path: PathBuf::from("<stdout>"),
        source,
    };
    let mut notes = Vec::new();
    let code = if args.apply {
        let applied = apply(root, &planned);
        writeln!(
            out,
            "Fixed {} in {}.",
            plural(planned.fixes, "finding"),
            plural(applied.written.len(), "file")
        )
        .map_err(stdout_error)?;
        for path in &applied.untracked {
            notes.push(format!("untracked {path} (still on disk)"));
        }
        for (path, reason) in &applied.refused {
            notes.push(format!("not fixed: {path}: {reason}"));
        }
        if applied.refused.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        }
    } else {
        let mut diff = unified_diff(&planned.files);
        if !args.show_secrets {
            let masked = mask_secrets(&diff, &secrets_in(root, &report.findings));
            if masked != diff {
                notes.push(
                    "secrets in the diff are masked, so it does not apply as-is: use --apply, \
                     or --show-secrets to print them"
                        .to_owned(),
                );
                diff = masked;
            }
        }
        out.write_all(diff.as_bytes()).map_err(stdout_error)?;
        for path in &planned.untrack {
            notes.push(format!(
                "--apply would also untrack {path} (git rm --cached; the file stays on disk)"
            ));
        }
        if diff.is_empty() && planned.untrack.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        }
    };
    notes.extend(
        planned
            .left_out
            .iter()
            .map(|reason| format!("left out: {reason}")),
    );
    notes.extend(
        planned
            .advice
            .iter()
            .map(|advice| format!("to do by hand: {advice}")),
    );
    if unsafe_left > 0 {
        notes.push(format!(
            "{} more with --unsafe-fixes",
            plural(unsafe_left, "fix")
        ));
    }
    for note in notes {
        let _ = writeln!(err, "harden: {note}");
    }
    Ok(code)
}
