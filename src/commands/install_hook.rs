//! `harden install-hook`: a plain git pre-commit hook running `harden scan --staged`, for
//! repositories that do not use the pre-commit framework. Never replaces an existing hook
//! unless asked.

use crate::cli::{EXIT_CLEAN, InstallHookArgs};
use crate::discover::history::open_repository;
use crate::error::HardenError;
use std::io::Write;
use std::path::PathBuf;

/// The hook script. It looks `harden` up on PATH at commit time, and says how to get it
/// when it is missing rather than failing obscurely.
pub const HOOK_SCRIPT: &str = r#"#!/bin/sh
# Installed by `harden install-hook`: refuses commits that add secrets or sensitive files.
# Bypass once (at your own risk) with `git commit --no-verify`.
if ! command -v harden >/dev/null 2>&1; then
    echo "harden pre-commit hook: 'harden' is not on PATH (cargo install --path <harden checkout>)" >&2
    exit 1
fi
exec harden scan --staged --quiet
"#;

/// Runs `harden install-hook`.
pub fn run(args: &InstallHookArgs, out: &mut dyn Write) -> Result<u8, HardenError> {
    let repo = open_repository(&args.path)?;
    let hooks_dir = match repo
        .config()
        .ok()
        .and_then(|config| config.get_path("core.hooksPath").ok())
    {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => repo
            .workdir()
            .map(|workdir| workdir.join(&dir))
            .unwrap_or(dir),
        None => repo.path().join("hooks"),
    };
    let hook = hooks_dir.join("pre-commit");
    let unwritable = |source: std::io::Error| HardenError::Unwritable {
        path: hook.clone(),
        source,
    };
    if hook.exists() && !args.force {
        return Err(HardenError::HookExists { path: hook });
    }
    std::fs::create_dir_all(&hooks_dir).map_err(unwritable)?;
    std::fs::write(&hook, HOOK_SCRIPT).map_err(unwritable)?;
    make_executable(&hook).map_err(unwritable)?;
    writeln!(out, "installed {}", hook.display()).map_err(|source| HardenError::Unwritable {
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    Ok(EXIT_CLEAN)
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_: &std::path::Path) -> std::io::Result<()> {
    Ok(())
}
