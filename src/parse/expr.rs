//! Assembler expressions as they appear in operands and data directives:
//! numbers, symbols (`.LCPI0_0`), and arithmetic on them (`.LCPI0_0+16`, `.Lfunc_end0-f`).

use std::fmt;

/// An assembler expression. Numbers are kept as `i128` so both `-9223372036854775808` and
/// `18446744073709551615` fit; emitters truncate to the directive's width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Num(i128),
    Sym(String),
    Neg(Box<Expr>),
    /// Bitwise not (`~x`).
    Not(Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
    Shl(Box<Expr>, Box<Expr>),
    Shr(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Xor(Box<Expr>, Box<Expr>),
}

/// An expression reduced to `symbol + addend` (a relocatable value) or a plain number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolRef {
    pub symbol: String,
    pub addend: i64,
}

impl Expr {
    pub fn num(v: i128) -> Expr {
        Expr::Num(v)
    }

    /// True when the expression mentions no symbol.
    pub fn is_constant(&self) -> bool {
        self.symbols().is_empty()
    }

    /// Every symbol the expression mentions, in order of appearance.
    pub fn symbols(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_symbols(&mut out);
        out
    }

    fn collect_symbols<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Num(_) => {}
            Expr::Sym(s) => out.push(s),
            Expr::Neg(a) | Expr::Not(a) => a.collect_symbols(out),
            Expr::Add(a, b)
            | Expr::Sub(a, b)
            | Expr::Mul(a, b)
            | Expr::Div(a, b)
            | Expr::Shl(a, b)
            | Expr::Shr(a, b)
            | Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Xor(a, b) => {
                a.collect_symbols(out);
                b.collect_symbols(out);
            }
        }
    }

    /// The depth of the tree (a number or symbol is 1), found without recursion.
    pub fn depth(&self) -> usize {
        if matches!(self, Expr::Num(_) | Expr::Sym(_)) {
            return 1;
        }
        let mut deepest = 0;
        let mut work = vec![(self, 1usize)];
        while let Some((e, d)) = work.pop() {
            deepest = deepest.max(d);
            match e {
                Expr::Num(_) | Expr::Sym(_) => {}
                Expr::Neg(a) | Expr::Not(a) => work.push((a, d + 1)),
                Expr::Add(a, b)
                | Expr::Sub(a, b)
                | Expr::Mul(a, b)
                | Expr::Div(a, b)
                | Expr::Shl(a, b)
                | Expr::Shr(a, b)
                | Expr::And(a, b)
                | Expr::Or(a, b)
                | Expr::Xor(a, b) => {
                    work.push((a, d + 1));
                    work.push((b, d + 1));
                }
            }
        }
        deepest
    }

    /// The value of a symbol-free expression (`None` if it has symbols or divides by zero).
    pub fn eval_const(&self) -> Option<i128> {
        self.eval(&|_| None)
    }

    /// Evaluates with `lookup` giving the value of each symbol (`None` = unknown).
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<i128>) -> Option<i128> {
        Some(match self {
            Expr::Num(v) => *v,
            Expr::Sym(s) => lookup(s)?,
            Expr::Neg(a) => a.eval(lookup)?.wrapping_neg(),
            Expr::Not(a) => !a.eval(lookup)?,
            Expr::Add(a, b) => a.eval(lookup)?.wrapping_add(b.eval(lookup)?),
            Expr::Sub(a, b) => a.eval(lookup)?.wrapping_sub(b.eval(lookup)?),
            Expr::Mul(a, b) => a.eval(lookup)?.wrapping_mul(b.eval(lookup)?),
            Expr::Div(a, b) => a.eval(lookup)?.checked_div(b.eval(lookup)?)?,
            Expr::Shl(a, b) => a
                .eval(lookup)?
                .checked_shl(u32::try_from(b.eval(lookup)?).ok()?)?,
            Expr::Shr(a, b) => a
                .eval(lookup)?
                .checked_shr(u32::try_from(b.eval(lookup)?).ok()?)?,
            Expr::And(a, b) => a.eval(lookup)? & b.eval(lookup)?,
            Expr::Or(a, b) => a.eval(lookup)? | b.eval(lookup)?,
            Expr::Xor(a, b) => a.eval(lookup)? ^ b.eval(lookup)?,
        })
    }

    /// Reduces `sym`, `sym + c`, `c + sym`, `sym - c` (with constant sub-expressions folded)
    /// to a [`SymbolRef`]. `None` when the expression is constant or not of that shape.
    pub fn as_symbol_ref(&self) -> Option<SymbolRef> {
        match self {
            Expr::Sym(s) => Some(SymbolRef {
                symbol: s.clone(),
                addend: 0,
            }),
            Expr::Add(a, b) => {
                if let (Some(r), Some(c)) = (a.as_symbol_ref(), b.eval_const()) {
                    Some(SymbolRef {
                        addend: r.addend.checked_add(i64::try_from(c).ok()?)?,
                        ..r
                    })
                } else if let (Some(c), Some(r)) = (a.eval_const(), b.as_symbol_ref()) {
                    Some(SymbolRef {
                        addend: r.addend.checked_add(i64::try_from(c).ok()?)?,
                        ..r
                    })
                } else {
                    None
                }
            }
            Expr::Sub(a, b) => {
                let r = a.as_symbol_ref()?;
                let c = b.eval_const()?;
                Some(SymbolRef {
                    addend: r.addend.checked_sub(i64::try_from(c).ok()?)?,
                    ..r
                })
            }
            _ => None,
        }
    }
}

/// Assembler syntax that reads back as the same expression: every binary operation in
/// parentheses (so the text nests no deeper than the tree), names that are not plain
/// symbols quoted (`"a b"`), and `a - -1` spaced so the two minus signs stay apart.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(v) => write!(f, "{v}"),
            Expr::Sym(s) if super::expr_parser::is_plain_symbol(s) => write!(f, "{s}"),
            Expr::Sym(s) => write!(f, "\"{s}\""),
            Expr::Neg(a) => write!(f, "-{a}"),
            Expr::Not(a) => write!(f, "~{a}"),
            Expr::Add(a, b) => write!(f, "({a}+{b})"),
            Expr::Sub(a, b) => write!(f, "({a} - {b})"),
            Expr::Mul(a, b) => write!(f, "({a}*{b})"),
            Expr::Div(a, b) => write!(f, "({a}/{b})"),
            Expr::Shl(a, b) => write!(f, "({a}<<{b})"),
            Expr::Shr(a, b) => write!(f, "({a}>>{b})"),
            Expr::And(a, b) => write!(f, "({a}&{b})"),
            Expr::Or(a, b) => write!(f, "({a}|{b})"),
            Expr::Xor(a, b) => write!(f, "({a}^{b})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(s: &str) -> Box<Expr> {
        Box::new(Expr::Sym(s.into()))
    }

    #[test]
    fn symbol_plus_constant_reduces_to_symbol_ref() {
        let e = Expr::Add(sym(".LCPI0_0"), Box::new(Expr::Num(16)));
        assert_eq!(
            e.as_symbol_ref(),
            Some(SymbolRef {
                symbol: ".LCPI0_0".into(),
                addend: 16
            })
        );
        let e = Expr::Sub(sym("t"), Box::new(Expr::Num(8)));
        assert_eq!(e.as_symbol_ref().unwrap().addend, -8);
    }

    #[test]
    fn difference_of_symbols_is_not_a_symbol_ref() {
        let e = Expr::Sub(sym(".Lfunc_end0"), sym("f"));
        assert_eq!(e.as_symbol_ref(), None);
        assert_eq!(e.symbols(), vec![".Lfunc_end0", "f"]);
    }

    #[test]
    fn constant_folding_handles_extremes() {
        let e = Expr::Neg(Box::new(Expr::Num(9223372036854775808)));
        assert_eq!(e.eval_const(), Some(i64::MIN as i128));
        assert_eq!(
            Expr::Div(Box::new(Expr::Num(1)), Box::new(Expr::Num(0))).eval_const(),
            None
        );
    }
}
