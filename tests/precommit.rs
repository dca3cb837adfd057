//! The pre-commit framework with the real `pre-commit` program (installed from PyPI by
//! `.ci/run`): a user adds this repository's hook to `.pre-commit-config.yaml` as the README
//! says; a commit adding a fake AWS key is refused with the rule id in the output, a clean
//! commit passes. Without `pre-commit` on PATH the test is skipped, unless
//! `HARDEN_REQUIRE_PRE_COMMIT` is set (CI sets it, so it cannot silently not run there).

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, program: &str, args: &[&str], envs: &[(&str, String)]) -> Output {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    for (key, value) in envs {
        command.env(key, value);
    }
    command
        .output()
        .unwrap_or_else(|error| panic!("{program} {args:?}: {error}"))
}

fn git(dir: &Path, args: &[&str], envs: &[(&str, String)]) -> Output {
    let mut full = vec![
        "-c",
        "user.name=Harden Test",
        "-c",
        "user.email=test@example.invalid",
        "-c",
        "init.defaultBranch=main",
    ];
    full.extend_from_slice(args);
    run(dir, "git", &full, envs)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn pre_commit_framework_refuses_a_secret_and_lets_a_clean_commit_through() {
    let available = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        assert!(
            std::env::var_os("HARDEN_REQUIRE_PRE_COMMIT").is_none(),
            "HARDEN_REQUIRE_PRE_COMMIT is set but `pre-commit` is not on PATH"
        );
        eprintln!("skipped: `pre-commit` is not installed (pip install pre-commit)");
        return;
    }
    // The hook repository is this checkout, at its committed HEAD.
    let hooks_repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rev = String::from_utf8_lossy(&git(hooks_repo, &["rev-parse", "HEAD"], &[]).stdout)
        .trim()
        .to_owned();
    let work = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
    let repo = work.path().join("project");
    fs::create_dir_all(&repo).unwrap_or_else(|error| panic!("{error}"));
    let envs = [
        (
            "PRE_COMMIT_HOME",
            work.path().join("pre-commit-home").display().to_string(),
        ),
        // The hook is built with cargo: reuse one target directory across runs.
        (
            "CARGO_TARGET_DIR",
            hooks_repo
                .join("target/pre-commit-hook")
                .display()
                .to_string(),
        ),
    ];
    assert!(git(&repo, &["init", "-q"], &envs).status.success());
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: harden\n",
        hooks_repo.display()
    );
    fs::write(repo.join(".pre-commit-config.yaml"), config)
        .unwrap_or_else(|error| panic!("{error}"));
    fs::write(repo.join("README.md"), "# project\n").unwrap_or_else(|error| panic!("{error}"));
    assert!(git(&repo, &["add", "."], &envs).status.success());
    assert!(
        git(&repo, &["commit", "-qm", "initial"], &envs)
            .status
            .success()
    );
    let installed = run(&repo, "pre-commit", &["install"], &envs);
    assert!(installed.status.success(), "{}", text(&installed));

    fs::write(
        repo.join("settings.py"),
        "AWS_ACCESS_KEY_ID = \"AKIAQWF3GH7LT2PNXR5M\"\n",
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert!(git(&repo, &["add", "settings.py"], &envs).status.success());
    let refused = git(&repo, &["commit", "-m", "add settings"], &envs);
    let said = text(&refused);
    assert!(
        !refused.status.success(),
        "the commit must be refused:\n{said}"
    );
    assert!(
        said.contains("aws-access-key-id"),
        "the rule id is in the output:\n{said}"
    );
    assert!(
        !said.contains("AKIAQWF3GH7LT2PNXR5M"),
        "the key itself is not:\n{said}"
    );

    fs::write(
        repo.join("settings.py"),
        "import os\nAWS_ACCESS_KEY_ID = os.environ[\"AWS_ACCESS_KEY_ID\"]\n",
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert!(git(&repo, &["add", "settings.py"], &envs).status.success());
    let accepted = git(
        &repo,
        &["commit", "-m", "read the key from the environment"],
        &envs,
    );
    assert!(
        accepted.status.success(),
        "a clean commit passes:\n{}",
        text(&accepted)
    );
}
