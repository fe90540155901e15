//! Which headers a compile sees: clang's own freestanding headers first, the target's C
//! library headers only when the file needs them — and a clear error when they are
//! missing.
//!
//! Why freestanding first: clang ships `stdint.h`, `stddef.h`, `stdbool.h`, `float.h`,
//! `limits.h`, `arm_neon.h`, `immintrin.h` … for every target, so a kernel that includes
//! only those compiles the same on every host, cross targets included, whatever C
//! libraries are installed (`-nostdlibinc -ffreestanding`; the latter keeps
//! `immintrin.h` from pulling in `<stdlib.h>` for `_mm_malloc`, and implies the
//! `-fno-builtin` the flow passes anyway). Kernels run inside Go, where no C library
//! exists, so a hosted environment is rarely what they need.
//!
//! Why not the host's headers for a cross target: clang's default search for
//! `--target=aarch64-linux-gnu` on an x86-64 host is the host's `/usr/include`, whose
//! `<stdlib.h>` then fails on a missing `bits/…` header. Debian's cross C libraries live
//! in `/usr/<triple>/include` (`libc6-dev-arm64-cross`), which clang only searches when a
//! GCC cross compiler is installed too; that directory is searched explicitly instead
//! (`-nostdlibinc -idirafter DIR`: after clang's resource headers, as clang itself orders
//! them), and the host's never.

use std::path::{Path, PathBuf};

use super::PackageError;
use crate::Arch;

/// The include search of one compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Headers {
    /// Only clang's resource headers.
    Freestanding,
    /// clang's default search: the host's C library (native targets, or a user-given
    /// `--sysroot`).
    Host,
    /// clang's resource headers, then a Debian cross C library directory.
    Cross(PathBuf),
}

impl Headers {
    /// clang flags selecting this search.
    pub fn flags(&self) -> Vec<String> {
        match self {
            Headers::Freestanding => vec!["-nostdlibinc".into(), "-ffreestanding".into()],
            Headers::Host => Vec::new(),
            Headers::Cross(dir) => vec![
                "-nostdlibinc".into(),
                "-idirafter".into(),
                dir.display().to_string(),
            ],
        }
    }
}

/// Runs `compile` (every compile of one file for one architecture) with the freestanding
/// headers, and again with the target's C library when a header was missing; returns the
/// headers that worked so every later compile of the file for `arch` uses the same.
pub fn with_headers<T>(
    arch: Arch,
    extra: &[String],
    mut compile: impl FnMut(&Headers) -> Result<T, PackageError>,
) -> Result<(Headers, T), PackageError> {
    let first = match compile(&Headers::Freestanding) {
        Ok(v) => return Ok((Headers::Freestanding, v)),
        Err(e) => e,
    };
    let Some(missing) = missing_header(&first) else {
        return Err(first);
    };
    let target = Target::of(arch);
    let system = if target.native() || has_sysroot(extra) {
        Headers::Host
    } else if target.cross_dir().join("stdlib.h").is_file() {
        Headers::Cross(target.cross_dir())
    } else if missing.quoted {
        // `#include "mine.h"`: the user's own header, whatever else is installed.
        return Err(missing.error(
            &target,
            "it is not in the including file's directory nor on the include path".into(),
            "add the directory that holds it with `-- -I<dir>`".into(),
        ));
    } else {
        return Err(missing.error(
            &target,
            format!(
                "it is not one of clang's freestanding headers, and the C library headers for \
                 {} are not installed",
                target.triple
            ),
            format!(
                "install them (Debian/Ubuntu: `apt-get install {}`), or include only \
                 freestanding headers (stdint.h, stddef.h, stdbool.h, float.h, limits.h, \
                 arm_neon.h, immintrin.h …)",
                target.libc_package()
            ),
        ));
    };
    match compile(&system) {
        Ok(v) => Ok((system, v)),
        Err(e) => match missing_header(&e) {
            Some(m) => Err(m.not_in_system(&target, &system)),
            None => Err(e),
        },
    }
}

/// Whether the user's flags choose their own system root.
fn has_sysroot(extra: &[String]) -> bool {
    extra
        .iter()
        .any(|f| f.starts_with("--sysroot") || f.starts_with("-isysroot"))
}

/// A header clang could not find, and where it was included.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Missing {
    /// `k.c:3:10`, as clang printed it.
    location: String,
    header: String,
    /// Included as `"header"` rather than `<header>` (from the source line clang quotes).
    quoted: bool,
}

/// clang's `k.c:3:10: fatal error: 'stdlib.h' file not found`, followed by the source
/// line (`    3 | #include <stdlib.h>`).
fn missing_header(e: &PackageError) -> Option<Missing> {
    let PackageError::CompilerFailed { output, .. } = e else {
        return None;
    };
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        let Some((location, rest)) = line.split_once(": fatal error: '") else {
            continue;
        };
        let Some(header) = rest.strip_suffix("' file not found") else {
            continue;
        };
        let quoted = lines
            .next()
            .is_some_and(|source| source.contains(&format!("\"{header}\"")));
        return Some(Missing {
            location: location.to_string(),
            header: header.to_string(),
            quoted,
        });
    }
    None
}

impl Missing {
    fn error(&self, target: &Target, why: String, hint: String) -> PackageError {
        PackageError::MissingHeader {
            location: self.location.clone(),
            header: self.header.clone(),
            target: target.triple.into(),
            why,
            hint,
        }
    }

    /// Missing from the target's C library headers too.
    fn not_in_system(&self, target: &Target, system: &Headers) -> PackageError {
        let libc_present = match system {
            Headers::Cross(_) => true,
            _ => !target.native() || Path::new("/usr/include/stdlib.h").is_file(),
        };
        if !libc_present {
            return self.error(
                target,
                format!(
                    "the C library headers for {} are not installed",
                    target.triple
                ),
                format!(
                    "install them (Debian/Ubuntu: `apt-get install {}`)",
                    target.libc_package()
                ),
            );
        }
        let searched = match system {
            Headers::Cross(dir) => format!(" ({})", dir.display()),
            _ => String::new(),
        };
        let mut hint = "add the directory that holds it with `-- -I<dir>`".to_string();
        if matches!(system, Headers::Cross(_)) {
            hint.push_str(
                "; C++ standard library headers are not searched for cross targets: \
                 include the C headers instead (<stdint.h> rather than <cstdint>)",
            );
        }
        self.error(
            target,
            format!(
                "it is neither one of clang's freestanding headers nor in the C library \
                 headers for {}{searched}",
                target.triple
            ),
            hint,
        )
    }
}

/// The target triple and where Debian puts its C library.
struct Target {
    arch: Arch,
    triple: &'static str,
}

impl Target {
    fn of(arch: Arch) -> Target {
        Target {
            arch,
            triple: match arch {
                Arch::Amd64 => "x86_64-linux-gnu",
                Arch::Arm64 => "aarch64-linux-gnu",
            },
        }
    }

    /// Whether this host runs the target's code natively (its own C library is the
    /// target's).
    fn native(&self) -> bool {
        let host = std::env::consts::ARCH;
        match self.arch {
            Arch::Amd64 => host == "x86_64",
            Arch::Arm64 => host == "aarch64",
        }
    }

    /// Where Debian's cross C library puts its headers (`/usr/aarch64-linux-gnu/include`).
    fn cross_dir(&self) -> PathBuf {
        Path::new("/usr").join(self.triple).join("include")
    }

    /// The Debian package with the target's C library headers.
    fn libc_package(&self) -> &'static str {
        match (self.native(), self.arch) {
            (true, _) => "libc6-dev",
            (false, Arch::Amd64) => "libc6-dev-amd64-cross",
            (false, Arch::Arm64) => "libc6-dev-arm64-cross",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clang_failure(output: &str) -> PackageError {
        PackageError::CompilerFailed {
            command: "clang".into(),
            output: output.into(),
        }
    }

    #[test]
    fn reads_clangs_missing_header_message() {
        let e = clang_failure(
            "In file included from k.c:1:\n/usr/include/stdlib.h:26:10: fatal error: \
             'bits/libc-header-start.h' file not found\n   26 | #include <bits/x.h>\n",
        );
        assert_eq!(
            missing_header(&e),
            Some(Missing {
                location: "/usr/include/stdlib.h:26:10".into(),
                header: "bits/libc-header-start.h".into(),
                quoted: false,
            })
        );
        let e = clang_failure(
            "k.c:2:10: fatal error: 'mine.h' file not found\n    2 | #include \"mine.h\"\n",
        );
        assert!(missing_header(&e).is_some_and(|m| m.quoted));
        assert_eq!(missing_header(&clang_failure("k.c:1:1: error: x")), None);
    }

    #[test]
    fn freestanding_first_and_only_retried_for_a_missing_header() {
        let mut seen = Vec::new();
        let r = with_headers(Arch::Amd64, &[], |h| {
            seen.push(h.clone());
            Ok(1)
        });
        assert_eq!(r.ok(), Some((Headers::Freestanding, 1)));
        assert_eq!(seen, [Headers::Freestanding]);
        // Another failure is returned as it is, without a second compile.
        let mut runs = 0;
        let r: Result<(Headers, ()), _> = with_headers(Arch::Amd64, &[], |_| {
            runs += 1;
            Err(clang_failure("k.c:2:1: error: expected ';'"))
        });
        assert!(matches!(r, Err(PackageError::CompilerFailed { .. })));
        assert_eq!(runs, 1);
        // A user sysroot is searched as clang does by default.
        let r = with_headers(Arch::Arm64, &["--sysroot=/x".to_string()], |h| match h {
            Headers::Freestanding => {
                Err(clang_failure("k.c:1:10: fatal error: 'a.h' file not found"))
            }
            other => Ok(other.clone()),
        });
        assert_eq!(r.ok().map(|(h, _)| h), Some(Headers::Host));
    }

    #[test]
    fn hints_name_the_debian_package() {
        let a = Target::of(Arch::Arm64);
        let x = Target::of(Arch::Amd64);
        match std::env::consts::ARCH {
            "x86_64" => {
                assert_eq!(a.libc_package(), "libc6-dev-arm64-cross");
                assert_eq!(x.libc_package(), "libc6-dev");
            }
            "aarch64" => {
                assert_eq!(a.libc_package(), "libc6-dev");
                assert_eq!(x.libc_package(), "libc6-dev-amd64-cross");
            }
            _ => {}
        }
        assert_eq!(a.cross_dir(), Path::new("/usr/aarch64-linux-gnu/include"));
    }
}
