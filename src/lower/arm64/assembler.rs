//! Machine code for AArch64 comes from the system assembler: there is no dependable AArch64
//! encoder in Rust (see design/pipeline.md). The whole `.s` is assembled once into an ELF
//! object in a temporary file; clang (any version found) is preferred, GNU
//! `aarch64-linux-gnu-as` is the fallback.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Every extension the decoder and Go's arm64 port can handle: a superset changes no
/// encoding, and it spares users "instruction requires: dotprod" for code compiled with
/// `-march=…+dotprod`.
const MARCH: &str = "armv8.6-a+crypto+sha3+sm4+fp16+fp16fml+dotprod+i8mm+bf16+rcpc+lse";

const CLANGS: &[&str] = &[
    "clang-19", "clang", "clang-20", "clang-21", "clang-18", "clang-17", "clang-16", "clang-15",
    "clang-14",
];
const GNU_AS: &str = "aarch64-linux-gnu-as";

/// Why the assembler could not produce an object.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssembleError {
    #[error(
        "no AArch64 assembler found (tried {tried}); install clang (Debian: `apt-get install \
         clang-19`) or GNU binutils for aarch64 (`apt-get install binutils-aarch64-linux-gnu`), \
         or set C2GOASM_AS to one"
    )]
    Missing { tried: String },
    /// The assembler rejected the input; `line`/`col` point into the input when it said so.
    #[error("the assembler rejected the input: {message}")]
    Rejected {
        message: String,
        line: Option<u32>,
        col: Option<u32>,
    },
    #[error("running the assembler: {0}")]
    Io(String),
}

fn runs(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The assembler to use: `C2GOASM_AS` if set, else the first clang found, else GNU as.
fn find_assembler() -> Result<String, AssembleError> {
    if let Ok(tool) = std::env::var("C2GOASM_AS")
        && !tool.is_empty()
    {
        return if runs(&tool) {
            Ok(tool)
        } else {
            Err(AssembleError::Missing {
                tried: format!("C2GOASM_AS={tool}"),
            })
        };
    }
    CLANGS
        .iter()
        .copied()
        .chain([GNU_AS])
        .find(|t| runs(t))
        .map(str::to_string)
        .ok_or_else(|| AssembleError::Missing {
            tried: CLANGS
                .iter()
                .chain(&[GNU_AS])
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn temp_object_path() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("c2goasm-rs-{}-{n}-{nanos}.o", std::process::id()))
}

/// GNU as does not know LLVM's `.addrsig` directives; blank them out (keeping line numbers).
fn for_gnu_as(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with(".addrsig") {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `<stdin>:12:5: error: message` (clang) / `{standard input}:12: Error: message` (GNU as).
fn first_error(stderr: &str) -> AssembleError {
    for line in stderr.lines() {
        let lower = line.to_ascii_lowercase();
        let Some(pos) = lower.find("error:") else {
            continue;
        };
        let message = line[pos + "error:".len()..].trim().to_string();
        let location: Vec<&str> = line[..pos]
            .trim_end_matches([':', ' '])
            .rsplitn(3, ':')
            .collect();
        let nums: Vec<u32> = location
            .iter()
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        let (line_no, col) = match nums.as_slice() {
            [c, l] => (Some(*l), Some(*c)),
            [l] => (Some(*l), None),
            _ => (None, None),
        };
        return AssembleError::Rejected {
            message,
            line: line_no,
            col,
        };
    }
    AssembleError::Rejected {
        message: stderr.trim().to_string(),
        line: None,
        col: None,
    }
}

thread_local! {
    /// The answer [`assemble`] gives instead of running the assembler, set for the
    /// duration of [`with_object`].
    static PROVIDED: std::cell::RefCell<Option<Result<Vec<u8>, AssembleError>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with every [`assemble`] on this thread answering `object` instead of running
/// the system assembler.
///
/// A hook for the fuzz targets (fuzz/) and their replay test: the lowering is fed an
/// object assembled once ahead of time (or an error, to stop right at the assembler
/// call), so no process is spawned per input. Not used by the translator itself.
pub fn with_object<T>(object: Result<Vec<u8>, AssembleError>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Result<Vec<u8>, AssembleError>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            PROVIDED.with(|p| *p.borrow_mut() = previous);
        }
    }
    let _restore = Restore(PROVIDED.with(|p| p.borrow_mut().replace(object)));
    f()
}

/// Assembles AArch64 GAS text into an ELF relocatable object (its bytes).
pub fn assemble(text: &str) -> Result<Vec<u8>, AssembleError> {
    if let Some(provided) = PROVIDED.with(|p| p.borrow().clone()) {
        return provided;
    }
    let tool = find_assembler()?;
    let out = temp_object_path();
    let gnu = tool.ends_with("-as") || tool == "as";
    let mut cmd = Command::new(&tool);
    let input = if gnu {
        cmd.arg(format!("-march={MARCH}")).arg("-o").arg(&out);
        for_gnu_as(text)
    } else {
        cmd.args([
            "-c",
            "--target=aarch64-linux-gnu",
            &format!("-march={MARCH}"),
            "-x",
            "assembler",
            "-",
            "-o",
        ])
        .arg(&out);
        text.to_string()
    };
    let io = |e: std::io::Error| AssembleError::Io(format!("{tool}: {e}"));
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).map_err(io)?;
    }
    let result = child.wait_with_output().map_err(io)?;
    let object = std::fs::read(&out);
    let _ = std::fs::remove_file(&out);
    if !result.status.success() {
        return Err(first_error(&String::from_utf8_lossy(&result.stderr)));
    }
    object.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_locations_of_both_assemblers() {
        let e = first_error("<stdin>:12:5: error: invalid operand for instruction\n  ldr x0\n");
        assert_eq!(
            e,
            AssembleError::Rejected {
                message: "invalid operand for instruction".into(),
                line: Some(12),
                col: Some(5)
            }
        );
        let e = first_error(
            "{standard input}: Assembler messages:\n{standard input}:3: Error: unknown mnemonic `foo'\n",
        );
        assert!(matches!(
            e,
            AssembleError::Rejected {
                line: Some(3),
                col: None,
                ..
            }
        ));
    }

    #[test]
    fn gnu_as_input_drops_addrsig_only() {
        assert_eq!(for_gnu_as("a\n\t.addrsig\nb"), "a\n\nb\n");
    }
}
