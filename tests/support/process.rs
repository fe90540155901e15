//! Running external tools from integration tests.

// Each test binary includes this module and uses only some of it.
#![allow(dead_code)]

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

/// Panics with the install hint unless `tool` runs (`--version`, or Go's `version`).
pub fn require(tool: &str) {
    let runs = |arg: &str| {
        Command::new(tool)
            .arg(arg)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    assert!(
        runs("--version") || runs("version"),
        "`{tool}` is required for the end-to-end tests: run scripts/test.sh, which installs it"
    );
}

/// Writes `text` to `path`, creating its directory.
pub fn write(path: &std::path::Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}
