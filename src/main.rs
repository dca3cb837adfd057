//! The `harden` binary: a thin wrapper so the CLI can be tested in-process.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let terminal = harden::cli::Terminal {
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
    };
    // Unlocked handles: holding the stderr lock for the whole run would block any other
    // thread that reports progress.
    let code = harden::cli::run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        terminal,
    );
    ExitCode::from(code)
}
