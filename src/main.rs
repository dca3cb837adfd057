//! The `harden` binary: a thin wrapper so the CLI can be tested in-process.

use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let terminal = harden::cli::Terminal {
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
    };
    let code = harden::cli::run(
        std::env::args_os(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
        terminal,
    );
    ExitCode::from(code)
}
