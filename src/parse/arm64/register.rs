//! AArch64 register names: general-purpose (`x0`, `w3`, `sp`, `xzr`) and SIMD/FP (`v1.4s`,
//! `q2`, `d3`, `s4`, `h5`, `b6`).

/// A general-purpose register as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gpr {
    /// 0–30, or 31 for `sp`/`wsp`/`xzr`/`wzr` (see `is_sp`).
    pub num: u8,
    /// 64-bit (`x`) or 32-bit (`w`) view.
    pub wide: bool,
    /// `sp`/`wsp` rather than the zero register.
    pub is_sp: bool,
}

impl Gpr {
    /// Registers the Go runtime or toolchain owns on arm64: x27 (the Go assembler's
    /// temporary), x28 (the current goroutine, `g`).
    pub fn is_reserved_by_go(&self) -> bool {
        matches!(self.num, 27 | 28)
    }

    /// x18, the platform register: an ordinary temporary on Linux (Go never uses it, the
    /// kernel preserves it), reserved by darwin, ios, windows and android, whose kernels
    /// or system libraries may change it at any time.
    pub fn is_platform_register(&self) -> bool {
        self.num == 18
    }
}

/// How a SIMD/FP register is viewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VecShape {
    /// Scalar views `b`, `h`, `s`, `d`, `q` with their width in bytes.
    Scalar(u8),
    /// `vN.<count><elem>` (`v0.4s`), or `vN.<elem>` inside lane syntax (`v1.s[2]`);
    /// `count` 0 means no count was written.
    Arrangement { count: u8, elem: char },
}

/// A SIMD/FP register as written, with an optional lane (`v1.s[2]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VReg {
    pub num: u8,
    pub shape: VecShape,
    pub lane: Option<u8>,
}

fn number(s: &str) -> Option<u8> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|n| *n <= 31)
}

/// Parses a general-purpose register name (any case).
pub fn gpr(name: &str) -> Option<Gpr> {
    let lower = name.to_ascii_lowercase();
    let reg = |num, wide, is_sp| Some(Gpr { num, wide, is_sp });
    match lower.as_str() {
        "sp" => return reg(31, true, true),
        "wsp" => return reg(31, false, true),
        "xzr" => return reg(31, true, false),
        "wzr" => return reg(31, false, false),
        "fp" => return reg(29, true, false),
        "lr" => return reg(30, true, false),
        _ => {}
    }
    let (wide, digits) = match lower.as_bytes().first()? {
        b'x' => (true, &lower[1..]),
        b'w' => (false, &lower[1..]),
        _ => return None,
    };
    number(digits)
        .filter(|n| *n <= 30)
        .and_then(|n| reg(n, wide, false))
}

/// Parses a SIMD/FP register: `q0`…`b31`, `v7`, `v0.16b`, `v1.s` (lane form without index).
pub fn vreg(name: &str) -> Option<VReg> {
    let lower = name.to_ascii_lowercase();
    let first = *lower.as_bytes().first()?;
    let scalar = match first {
        b'b' => Some(1),
        b'h' => Some(2),
        b's' => Some(4),
        b'd' => Some(8),
        b'q' => Some(16),
        _ => None,
    };
    if let Some(width) = scalar {
        let num = number(&lower[1..])?;
        return Some(VReg {
            num,
            shape: VecShape::Scalar(width),
            lane: None,
        });
    }
    if first != b'v' {
        return None;
    }
    let (num, arrangement) = match lower[1..].split_once('.') {
        Some((n, a)) => (number(n)?, Some(a)),
        None => (number(&lower[1..])?, None),
    };
    let shape = match arrangement {
        None => VecShape::Arrangement {
            count: 0,
            elem: 'b',
        },
        Some(a) => {
            let elem = a.chars().last()?;
            if !matches!(elem, 'b' | 'h' | 's' | 'd' | 'q') {
                return None;
            }
            let digits = &a[..a.len() - 1];
            let count = if digits.is_empty() {
                0
            } else {
                digits
                    .parse()
                    .ok()
                    .filter(|c| matches!(c, 1 | 2 | 4 | 8 | 16))?
            };
            VecShape::Arrangement { count, elem }
        }
    };
    Some(VReg {
        num,
        shape,
        lane: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_purpose() {
        assert_eq!(
            gpr("x28"),
            Some(Gpr {
                num: 28,
                wide: true,
                is_sp: false
            })
        );
        assert!(gpr("W3").is_some_and(|r| r.num == 3 && !r.wide));
        assert!(gpr("sp").is_some_and(|r| r.is_sp));
        assert!(gpr("xzr").is_some_and(|r| r.num == 31 && !r.is_sp));
        assert!(gpr("x31").is_none());
        assert!(gpr("x1a").is_none());
        assert!(gpr("x18").unwrap().is_platform_register());
        assert!(!gpr("x18").unwrap().is_reserved_by_go());
        assert!(gpr("w28").unwrap().is_reserved_by_go());
    }

    #[test]
    fn simd() {
        assert_eq!(vreg("q7").unwrap().shape, VecShape::Scalar(16));
        assert_eq!(
            vreg("v0.4s").unwrap().shape,
            VecShape::Arrangement {
                count: 4,
                elem: 's'
            }
        );
        assert_eq!(
            vreg("v31.s").unwrap().shape,
            VecShape::Arrangement {
                count: 0,
                elem: 's'
            }
        );
        assert!(vreg("v0.3s").is_none());
        assert!(vreg("v32.4s").is_none());
        assert!(vreg("sxtw").is_none());
    }
}
