//! Running external tools from integration tests.

use std::process::Command;

/// Runs `cmd`, panics with its output (naming `what`) unless it succeeds, and returns
/// stdout followed by stderr.
pub fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}
