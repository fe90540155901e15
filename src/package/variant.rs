//! The x86-64 instruction-set variants a package is built for: compiler flags, CPU checks,
//! names.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    Sse42,
    Avx,
    Avx2,
    Avx512,
}

impl Variant {
    pub const ALL: [Variant; 4] = [Variant::Sse42, Variant::Avx, Variant::Avx2, Variant::Avx512];

    /// The default set: SSE4.2 runs everywhere that matters, AVX2 where it is faster.
    pub const DEFAULT: [Variant; 2] = [Variant::Sse42, Variant::Avx2];

    /// Parses `sse4.2`/`sse42`, `avx`, `avx2`, `avx512` (any case).
    pub fn parse(s: &str) -> Option<Variant> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "sse4.2" | "sse42" | "sse4_2" => Variant::Sse42,
            "avx" => Variant::Avx,
            "avx2" => Variant::Avx2,
            "avx512" | "avx-512" => Variant::Avx512,
            _ => return None,
        })
    }

    /// As written on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Sse42 => "sse4.2",
            Variant::Avx => "avx",
            Variant::Avx2 => "avx2",
            Variant::Avx512 => "avx512",
        }
    }

    /// Appended to Go function names (`SampleSumAVX2`).
    pub fn go_suffix(self) -> &'static str {
        match self {
            Variant::Sse42 => "SSE42",
            Variant::Avx => "AVX",
            Variant::Avx2 => "AVX2",
            Variant::Avx512 => "AVX512",
        }
    }

    /// Used in file names (`sample_avx2_amd64.s`).
    pub fn file_tag(self) -> &'static str {
        match self {
            Variant::Sse42 => "sse42",
            Variant::Avx => "avx",
            Variant::Avx2 => "avx2",
            Variant::Avx512 => "avx512",
        }
    }

    /// clang's `-m` flags: AVX2 implies FMA; AVX-512 means F, BW, VL and DQ.
    pub fn clang_flags(self) -> &'static [&'static str] {
        match self {
            Variant::Sse42 => &["-msse4.2"],
            Variant::Avx => &["-mavx"],
            Variant::Avx2 => &["-mavx2", "-mfma"],
            Variant::Avx512 => &["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq"],
        }
    }

    /// The golang.org/x/sys/cpu test for this variant (HasAVX* include the OS check;
    /// HasFMA does not, but is only tested together with HasAVX2).
    pub fn go_condition(self) -> &'static str {
        match self {
            Variant::Sse42 => "cpu.X86.HasSSE42",
            Variant::Avx => "cpu.X86.HasAVX",
            Variant::Avx2 => "cpu.X86.HasAVX2 && cpu.X86.HasFMA",
            Variant::Avx512 => {
                "cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ"
            }
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a comma-separated list (`sse4.2,avx2`), deduplicated and sorted.
pub fn parse_list(s: &str) -> Result<Vec<Variant>, String> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.trim().is_empty()) {
        let v = Variant::parse(part).ok_or_else(|| {
            format!(
                "unknown variant `{}` (expected sse4.2, avx, avx2, avx512)",
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
        assert!(parse_list("neon").is_err());
        assert!(parse_list("").is_err());
    }
}
