//! The instruction-set variants a package is built for (x86-64 levels, and NEON on
//! arm64): compiler flags, CPU checks, names.
//!
//! Each architecture has a baseline every CPU of its GOARCH runs (SSE2 for amd64, whose
//! Go port requires it; NEON for arm64), and a package always gets the baseline of every
//! architecture it targets: dispatch then never needs a pure-Go version on amd64 or arm64
//! ([`with_baselines`]).

use std::fmt;

use crate::Arch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    /// The x86-64 baseline (SSE2): what Go's amd64 port itself requires.
    Sse2,
    Sse42,
    Avx,
    Avx2,
    Avx512,
    /// AArch64 Advanced SIMD: the baseline of every arm64 CPU Go runs on.
    Neon,
}

impl Variant {
    pub const ALL: [Variant; 6] = [
        Variant::Sse2,
        Variant::Sse42,
        Variant::Avx,
        Variant::Avx2,
        Variant::Avx512,
        Variant::Neon,
    ];

    /// The default set: both architectures, with SSE4.2 and AVX2 above the x86-64 baseline
    /// (SSE2, added by [`with_baselines`]).
    pub const DEFAULT: [Variant; 3] = [Variant::Sse42, Variant::Avx2, Variant::Neon];

    /// The variant every CPU of `arch` runs.
    pub fn baseline(arch: Arch) -> Variant {
        match arch {
            Arch::Amd64 => Variant::Sse2,
            Arch::Arm64 => Variant::Neon,
        }
    }

    /// Parses `sse2`, `sse4.2`/`sse42`, `avx`, `avx2`, `avx512`, `neon` (any case).
    pub fn parse(s: &str) -> Option<Variant> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "sse2" => Variant::Sse2,
            "sse4.2" | "sse42" | "sse4_2" => Variant::Sse42,
            "avx" => Variant::Avx,
            "avx2" => Variant::Avx2,
            "avx512" | "avx-512" => Variant::Avx512,
            "neon" | "asimd" => Variant::Neon,
            _ => return None,
        })
    }

    /// As written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Sse2 => "sse2",
            Variant::Sse42 => "sse4.2",
            Variant::Avx => "avx",
            Variant::Avx2 => "avx2",
            Variant::Avx512 => "avx512",
            Variant::Neon => "neon",
        }
    }

    /// The architecture the variant is built for.
    pub fn arch(self) -> Arch {
        match self {
            Variant::Neon => Arch::Arm64,
            _ => Arch::Amd64,
        }
    }

    /// Appended to Go function names (`SampleSumAVX2`).
    pub fn go_suffix(self) -> &'static str {
        match self {
            Variant::Sse2 => "SSE2",
            Variant::Sse42 => "SSE42",
            Variant::Avx => "AVX",
            Variant::Avx2 => "AVX2",
            Variant::Avx512 => "AVX512",
            Variant::Neon => "NEON",
        }
    }

    /// Used in file names (`sample_avx2_amd64.s`).
    pub fn file_tag(self) -> &'static str {
        match self {
            Variant::Sse2 => "sse2",
            Variant::Sse42 => "sse42",
            Variant::Avx => "avx",
            Variant::Avx2 => "avx2",
            Variant::Avx512 => "avx512",
            Variant::Neon => "neon",
        }
    }

    /// clang's `-m` flags: AVX2 implies FMA; AVX-512 means F, BW, VL and DQ; SSE2 is what
    /// `--target=x86_64-…` already assumes.
    pub fn clang_flags(self) -> &'static [&'static str] {
        match self {
            Variant::Sse2 => &["-march=x86-64"],
            Variant::Sse42 => &["-msse4.2"],
            Variant::Avx => &["-mavx"],
            Variant::Avx2 => &["-mavx2", "-mfma"],
            Variant::Avx512 => &["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq"],
            Variant::Neon => &["-march=armv8-a"],
        }
    }

    /// The golang.org/x/sys/cpu test for this variant (HasAVX* include the OS check;
    /// HasFMA does not, but is only tested together with HasAVX2). Baselines are never
    /// tested: they are what dispatch starts from.
    pub fn go_condition(self) -> &'static str {
        match self {
            Variant::Sse2 => "true",
            Variant::Sse42 => "cpu.X86.HasSSE42",
            Variant::Avx => "cpu.X86.HasAVX",
            Variant::Avx2 => "cpu.X86.HasAVX2 && cpu.X86.HasFMA",
            Variant::Avx512 => {
                "cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ"
            }
            Variant::Neon => "true",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `variants` plus the baseline of every architecture they target, sorted (baseline first
/// within each architecture).
pub fn with_baselines(variants: &[Variant]) -> Vec<Variant> {
    let mut out: Vec<Variant> = variants.to_vec();
    for v in variants {
        out.push(Variant::baseline(v.arch()));
    }
    out.sort();
    out.dedup();
    out
}

/// Parses a comma-separated list (`sse4.2,avx2`), deduplicated and sorted.
pub fn parse_list(s: &str) -> Result<Vec<Variant>, String> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let v = Variant::parse(part).ok_or_else(|| {
            format!(
                "unknown variant `{}` (expected sse2, sse4.2, avx, avx2, avx512, neon)",
                part.trim()
            )
        })?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out.sort();
    if out.is_empty() {
        return Err("no variants given".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists() {
        assert_eq!(
            parse_list("avx2, SSE4.2,avx2"),
            Ok(vec![Variant::Sse42, Variant::Avx2])
        );
        assert!(parse_list("sve").is_err());
        assert_eq!(
            parse_list("neon,avx2"),
            Ok(vec![Variant::Avx2, Variant::Neon])
        );
        assert_eq!(Variant::Neon.arch(), Arch::Arm64);
        assert!(parse_list("").is_err());
    }

    #[test]
    fn every_targeted_architecture_gets_its_baseline() {
        assert_eq!(
            with_baselines(&[Variant::Avx2, Variant::Sse42]),
            [Variant::Sse2, Variant::Sse42, Variant::Avx2]
        );
        assert_eq!(with_baselines(&[Variant::Neon]), [Variant::Neon]);
        assert_eq!(
            with_baselines(&Variant::DEFAULT),
            [Variant::Sse2, Variant::Sse42, Variant::Avx2, Variant::Neon]
        );
        assert_eq!(Variant::parse("SSE2"), Some(Variant::Sse2));
        assert_eq!(Variant::baseline(Arch::Amd64).go_condition(), "true");
    }
}
