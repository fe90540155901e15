//! A bound declaration against what the C code shows about its own parameters, shared by
//! both architectures: the per-architecture analyses (`x86::arg_use`, `arm64::arg_use`)
//! summarise a function as an [`ArgUse`]; this module decides what that means for the Go
//! declaration and names the Go parameter concerned.
//!
//! A mismatch the code proves (it reads a float register the declaration leaves unset, it
//! dereferences a register the declaration fills with a length, it reads arguments the
//! declaration does not pass) is an error; one that can be legitimate (a pointer declared
//! as `uintptr`, arguments the C code ignores) is a warning. Each fact in [`ArgUse`] is
//! computed so that it holds for certain, so none of these fires on a matching declaration.

use crate::abi::{ArgLocation, FrameLayout, GoFunc, GoParam, GoType, ScalarKind};
use crate::lower::LowerError;
use crate::lower::inputs::Diags;
use crate::source::Span;

/// What one C function does with its argument registers, as bit sets: bit k stands for the
/// k-th argument register of its class (rdi, rsi, … / x0, x1, …; xmm0… / v0…).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArgUse {
    /// Integer registers whose entry value is certainly read on some path.
    pub int_reads: u32,
    /// Integer registers whose entry value may be read: a clear bit means read on no path.
    pub int_may_read: u32,
    /// Vector registers whose entry value's low element is certainly read on some path.
    pub float_reads: u32,
    /// Vector registers whose entry value may be read.
    pub float_may_read: u32,
    /// Integer registers whose entry value is certainly used as a memory address (the base
    /// of a load or store) on some path, possibly after copies and constant offsets.
    pub derefs: u32,
    /// Eight-byte stack-argument slots the code reads (highest slot + 1).
    pub stack_slots_read: u32,
}

/// An architecture's argument registers, as its assembly names them.
pub struct Convention {
    pub int_regs: &'static [&'static str],
    pub float_regs: &'static [&'static str],
}

pub const SYSV: Convention = Convention {
    int_regs: &["rdi", "rsi", "rdx", "rcx", "r8", "r9"],
    float_regs: &[
        "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
    ],
};

pub const AAPCS64: Convention = Convention {
    int_regs: &["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"],
    float_regs: &["v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"],
};

/// Which C argument of a Go parameter a flattened argument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    Base,
    Len,
    Cap,
}

/// The C arguments a Go type is passed as (the same split as `abi::layout`).
fn parts(ty: &GoType) -> &'static [Part] {
    match ty {
        GoType::Slice(_) => &[Part::Base, Part::Len, Part::Cap],
        GoType::String => &[Part::Base, Part::Len],
        GoType::Named(_) => &[],
        _ => &[Part::Whole],
    }
}

/// One C argument of the declaration: which Go parameter (part) it is and where it goes.
#[derive(Debug, Clone, Copy)]
struct Arg<'a> {
    param: &'a GoParam,
    /// Position of the parameter in the declaration.
    index: usize,
    part: Part,
    kind: ScalarKind,
    size: u8,
    loc: ArgLocation,
}

impl Arg<'_> {
    /// "`a`'s length", "`n` (int32)", "parameter 2".
    fn describe(&self) -> String {
        let name = match &self.param.name {
            Some(n) => format!("`{n}`"),
            None => format!("parameter {}", self.index + 1),
        };
        match self.part {
            Part::Whole => format!("{name} ({})", self.param.ty),
            Part::Base => format!("{name}'s pointer"),
            Part::Len => format!("{name}'s length"),
            Part::Cap => format!("{name}'s capacity"),
        }
    }

    fn reg(&self, conv: &Convention) -> Option<String> {
        match self.loc {
            ArgLocation::IntReg(r) => conv.int_regs.get(r as usize).map(|s| s.to_string()),
            ArgLocation::FloatReg(r) => conv.float_regs.get(r as usize).map(|s| s.to_string()),
            ArgLocation::Stack(_) => None,
        }
    }
}

fn args<'a>(go: &'a GoFunc, layout: &FrameLayout, locations: &[ArgLocation]) -> Vec<Arg<'a>> {
    let owners = go
        .params
        .iter()
        .enumerate()
        .flat_map(|(i, p)| parts(&p.ty).iter().map(move |part| (i, p, *part)));
    owners
        .zip(&layout.args)
        .zip(locations)
        .map(|(((index, param, part), slot), loc)| Arg {
            param,
            index,
            part,
            kind: slot.kind,
            size: slot.size,
            loc: *loc,
        })
        .collect()
}

fn bit(set: u32, k: u8) -> bool {
    k < 32 && set & (1 << k) != 0
}

/// Where a finding is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In the Go declarations file.
    Decl(Span),
    /// At the C function in the assembly.
    CFunction,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub place: Place,
    pub error: LowerError,
    /// Reported as a warning: the output is still written.
    pub warning: bool,
}

/// Everything the code proves about the declaration `go` of a C function summarised by `u`.
pub fn check(
    go: &GoFunc,
    layout: &FrameLayout,
    locations: &[ArgLocation],
    u: &ArgUse,
    conv: &Convention,
) -> Vec<Finding> {
    let args = args(go, layout, locations);
    let count = |f: fn(&ArgLocation) -> bool| locations.iter().filter(|l| f(l)).count() as u32;
    let n_int = count(|l| matches!(l, ArgLocation::IntReg(_)));
    let n_float = count(|l| matches!(l, ArgLocation::FloatReg(_)));
    let n_stack = count(|l| matches!(l, ArgLocation::Stack(_)));
    let func = || go.name.clone();
    let mut out = Vec::new();
    let error = |place, error| Finding {
        place,
        error,
        warning: false,
    };

    // Integer registers read beyond those passed.
    let highest = |set: u32| (set != 0).then(|| 31 - set.leading_zeros());
    if let Some(k) = highest(u.int_reads).filter(|k| *k >= n_int)
        && let Some(reg) = conv.int_regs.get(k as usize)
    {
        out.push(error(
            Place::CFunction,
            LowerError::IntArgumentBeyondDeclaration {
                func: func(),
                reg: reg.to_string(),
                provided: n_int,
            },
        ));
    }

    // Float registers read beyond those passed: name the Go parameters that, declared as
    // floats, would make the declaration fit the code.
    let missing = (n_float..conv.float_regs.len() as u32).find(|k| bit(u.float_reads, *k as u8));
    if let Some(k) = missing {
        let wanted = highest(u.float_reads).map_or(0, |h| h + 1) - n_float;
        let (suspects, unique) = float_suspects(&args, layout, u, conv, wanted as usize);
        let named: Vec<String> = suspects.iter().map(|a| a.describe()).collect();
        let clause = match (named.as_slice(), unique) {
            ([], _) => None,
            ([one], true) => Some(format!("{one} is probably that float")),
            (many, true) => Some(format!("{} are probably floats", many.join(" and "))),
            (many, false) => Some(format!("one of {} is probably a float", many.join(", "))),
        };
        out.push(error(
            Place::Decl(suspects.first().map_or(go.span, |a| a.param.span)),
            LowerError::FloatArgumentNotPassed {
                func: func(),
                reg: conv.float_regs[k as usize].to_string(),
                provided: n_float,
                suspect: clause,
            },
        ));
    }

    // Stack arguments read beyond those passed, numbered as the C prototype counts them:
    // after every integer register argument and the float register arguments.
    if u.stack_slots_read > n_stack {
        let floats = highest(u.float_reads)
            .map_or(0, |k| k + 1)
            .max(n_float)
            .min(conv.float_regs.len() as u32);
        let ints = conv.int_regs.len() as u32;
        out.push(error(
            Place::Decl(go.span),
            LowerError::StackArgumentBeyondDeclaration {
                func: func(),
                slot: u.stack_slots_read,
                arg: ints + floats + u.stack_slots_read,
                int_regs: ints,
                float_regs: floats,
                provided: n_stack,
            },
        ));
    }

    // Registers the C code dereferences, filled with something that is not an address.
    for a in &args {
        let ArgLocation::IntReg(r) = a.loc else {
            continue;
        };
        if !bit(u.derefs, r) {
            continue;
        }
        let Some(reg) = a.reg(conv) else { continue };
        let what = a.describe();
        let plain_word =
            a.part == Part::Whole && matches!(a.kind, ScalarKind::Int { .. }) && a.size == 8;
        match a.kind {
            ScalarKind::Pointer if a.part != Part::Len && a.part != Part::Cap => {}
            _ if plain_word => out.push(Finding {
                place: Place::Decl(a.param.span),
                error: LowerError::IntegerAsPointer {
                    func: func(),
                    reg,
                    what,
                },
                warning: true,
            }),
            _ => out.push(error(
                Place::Decl(a.param.span),
                LowerError::NotAPointer {
                    func: func(),
                    reg,
                    what,
                },
            )),
        }
    }

    // Unread arguments only matter when nothing worse is wrong (an argument of the wrong
    // class is unread too).
    if out.iter().all(|f| f.warning) {
        out.extend(unread(go, &args, u, conv));
    }
    out
}

/// The Go parameters that, declared as floats instead of integers, would make the
/// declaration fit what the code shows (`wanted` more float registers passed, every
/// register it certainly reads passed, every whole parameter passed read, only addresses
/// dereferenced), and whether exactly one choice fits. Parameter order is kept: a
/// parameter of the wrong class shifts the registers of those after it.
fn float_suspects<'a, 'b>(
    args: &'b [Arg<'a>],
    layout: &FrameLayout,
    u: &ArgUse,
    conv: &Convention,
    wanted: usize,
) -> (Vec<&'b Arg<'a>>, bool) {
    let candidates: Vec<usize> = (0..args.len())
        .filter(|&i| {
            let a = &args[i];
            a.part == Part::Whole
                && matches!(a.kind, ScalarKind::Int { .. } | ScalarKind::Bool)
                && matches!(a.loc, ArgLocation::IntReg(_))
        })
        .take(12)
        .collect();
    if wanted == 0 || wanted > candidates.len() {
        return (Vec::new(), false);
    }
    // `strict`: only declared pointers may be dereferenced (a choice that puts a pointer
    // where the code dereferences beats one that puts an integer there).
    let fits = |flipped: &[usize], strict: bool| {
        let slots: Vec<crate::abi::Slot> = layout
            .args
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut s = s.clone();
                if flipped.contains(&i) {
                    s.kind = if s.size == 8 {
                        ScalarKind::Float64
                    } else {
                        ScalarKind::Float32
                    };
                }
                s
            })
            .collect();
        let locs = crate::abi::sysv::classify_args(
            &slots,
            conv.int_regs.len() as u8,
            conv.float_regs.len() as u8,
        );
        let count = |f: fn(&ArgLocation) -> bool| locs.iter().filter(|l| f(l)).count() as u32;
        let floats = count(|l| matches!(l, ArgLocation::FloatReg(_)));
        let ints = count(|l| matches!(l, ArgLocation::IntReg(_)));
        let covers = |set: u32, n: u32| set >> n.min(31) == 0 || n >= 32;
        covers(u.float_reads, floats)
            && covers(u.int_reads, ints)
            && args
                .iter()
                .zip(&locs)
                .zip(&slots)
                .all(|((a, loc), s)| match *loc {
                    ArgLocation::IntReg(r) => {
                        let address = matches!(s.kind, ScalarKind::Pointer)
                            || (!strict && matches!(s.kind, ScalarKind::Int { .. }) && s.size == 8);
                        (a.part != Part::Whole || bit(u.int_may_read, r))
                            && (!bit(u.derefs, r) || address)
                    }
                    ArgLocation::FloatReg(r) => bit(u.float_may_read, r),
                    ArgLocation::Stack(_) => true,
                })
    };
    // Every choice of `wanted` candidates, in order.
    let mut choices: Vec<Vec<usize>> = Vec::new();
    let mut choice: Vec<usize> = (0..wanted).collect();
    loop {
        choices.push(choice.iter().map(|&c| candidates[c]).collect());
        // Next combination.
        let Some(pos) = (0..wanted)
            .rev()
            .find(|&p| choice[p] < candidates.len() - wanted + p)
        else {
            break;
        };
        choice[pos] += 1;
        for q in pos + 1..wanted {
            choice[q] = choice[q - 1] + 1;
        }
    }
    let mut fitting: Vec<Vec<usize>> = choices.iter().filter(|c| fits(c, true)).cloned().collect();
    if fitting.is_empty() {
        fitting = choices.into_iter().filter(|c| fits(c, false)).collect();
    }
    // Several choices fit when a float declared as an integer shifts the integers after
    // it: the registers alone cannot tell which parameter it was, so all are named.
    let mut named: Vec<usize> = fitting.iter().flatten().copied().collect();
    named.sort_unstable();
    named.dedup();
    (
        named.iter().map(|&i| &args[i]).collect(),
        fitting.len() == 1,
    )
}

/// Warnings for register arguments the C code reads on no path. A slice's capacity is
/// exempt (C's `f(float *p, size_t n)` called with a Go slice reads base and length only),
/// and so is every part after a slice's or string's pointer that is read.
fn unread(go: &GoFunc, args: &[Arg<'_>], u: &ArgUse, conv: &Convention) -> Vec<Finding> {
    let read = |a: &Arg<'_>| match a.loc {
        ArgLocation::IntReg(r) => Some(bit(u.int_may_read, r)),
        ArgLocation::FloatReg(r) => Some(bit(u.float_may_read, r)),
        ArgLocation::Stack(_) => None,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let param = args[i].index;
        let end = args[i..]
            .iter()
            .position(|a| a.index != param)
            .map_or(args.len(), |n| i + n);
        let group = &args[i..end];
        i = end;
        let unread: Vec<&Arg<'_>> = group.iter().filter(|a| read(a) == Some(false)).collect();
        if unread.is_empty() {
            continue;
        }
        let base_read = group
            .iter()
            .any(|a| a.part == Part::Base && read(a) == Some(true));
        let in_registers = group.iter().all(|a| read(a).is_some());
        let warn = |a: &Arg<'_>, what: String| Finding {
            place: Place::Decl(a.param.span),
            error: LowerError::UnreadArgument {
                func: go.name.clone(),
                reg: a.reg(conv).unwrap_or_default(),
                what,
            },
            warning: true,
        };
        if group.len() > 1 && in_registers && unread.len() == group.len() {
            // Nothing of the slice or string is read: name the parameter itself.
            let a = group[0];
            let name = match &a.param.name {
                Some(n) => format!("`{n}`"),
                None => format!("parameter {}", a.index + 1),
            };
            let regs: Vec<String> = group.iter().filter_map(|a| a.reg(conv)).collect();
            out.push(Finding {
                error: LowerError::UnreadArgument {
                    func: go.name.clone(),
                    reg: regs.join("`, `"),
                    what: format!("{name} ({})", a.param.ty),
                },
                ..warn(&a, String::new())
            });
            continue;
        }
        for a in unread {
            let exempt = a.part == Part::Cap || (base_read && a.part != Part::Base);
            if !exempt {
                out.push(warn(a, a.describe()));
            }
        }
    }
    out
}

/// Checks one binding and reports the findings; `false` when one is an error. `c_span`
/// locates findings about the C function itself.
pub(crate) fn check_binding(
    go: &GoFunc,
    layout: &FrameLayout,
    locations: &[ArgLocation],
    u: &ArgUse,
    conv: &Convention,
    c_span: Span,
    d: &mut Diags<'_>,
) -> bool {
    let mut ok = true;
    for f in check(go, layout, locations, u, conv) {
        match (f.place, f.warning) {
            (Place::Decl(s), true) => d.warn_decl(s, f.error),
            (Place::Decl(s), false) => {
                ok = false;
                d.decl(s, f.error);
            }
            (Place::CFunction, true) => d.warn_asm(c_span, f.error),
            (Place::CFunction, false) => {
                ok = false;
                d.asm(c_span, f.error);
            }
        }
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{classify_aapcs_args, classify_sysv_args, layout, parse_go_decls};
    use crate::source::SourceFile;

    fn decl(sig: &str) -> GoFunc {
        parse_go_decls(&SourceFile::new("x.go", format!("package p\n{sig}\n")))
            .expect("parse")
            .remove(0)
    }

    fn run(sig: &str, u: ArgUse) -> Vec<Finding> {
        let go = decl(sig);
        let l = layout(&go);
        let locs = classify_sysv_args(&l.args);
        check(&go, &l, &locs, &u, &SYSV)
    }

    fn messages(f: &[Finding]) -> Vec<String> {
        f.iter()
            .map(|f| {
                let kind = if f.warning { "warning" } else { "error" };
                format!("{kind}: {}", f.error)
            })
            .collect()
    }

    /// What a C function reading exactly the given registers looks like.
    fn reads(ints: u32, floats: u32) -> ArgUse {
        ArgUse {
            int_reads: ints,
            int_may_read: ints,
            float_reads: floats,
            float_may_read: floats,
            ..ArgUse::default()
        }
    }

    #[test]
    fn parts_follow_the_layout() {
        let go = decl("func f(a []float32, s string, n int32, p *byte, x float64, b bool)");
        let l = layout(&go);
        let a = args(&go, &l, &classify_sysv_args(&l.args));
        assert_eq!(a.len(), l.args.len());
        let names: Vec<String> = a.iter().map(Arg::describe).collect();
        assert_eq!(
            names,
            [
                "`a`'s pointer",
                "`a`'s length",
                "`a`'s capacity",
                "`s`'s pointer",
                "`s`'s length",
                "`n` (int32)",
                "`p` (*byte)",
                "`x` (float64)",
                "`b` (bool)"
            ]
        );
    }

    #[test]
    fn matching_declarations_find_nothing() {
        // float f(float *p, long n, float k)
        assert!(
            run(
                "func f(p *float32, n int64, k float32) float32",
                reads(0b11, 1)
            )
            .is_empty()
        );
        // A slice for (pointer, length): the capacity goes unread.
        let mut u = reads(0b11, 0);
        u.derefs = 1;
        assert!(run("func f(a []float32) float32", u).is_empty());
        // A string whose pointer is read but whose length is not (C reads up to a NUL).
        assert!(run("func f(s string) int64", reads(0b1, 0)).is_empty());
    }

    #[test]
    fn float_read_but_declared_integer_names_the_parameter() {
        // float f(float *p, float x) declared with x int32: C reads xmm0, never esi.
        let mut u = reads(0b1, 0b1);
        u.derefs = 0b1;
        let f = run("func f(p *float32, x int32) float32", u);
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert!(!f[0].warning);
        assert!(matches!(f[0].place, Place::Decl(s) if s.col == 20), "{f:?}");
        let m = f[0].error.to_string();
        assert!(
            m.contains("`xmm0`") && m.contains("`x` (int32) is probably that float"),
            "{m}"
        );
        // float f(float *p, float a, long n) declared with a int32: after `a`, `n` moves
        // into rsi, which the code reads, so `n` fits as well as `a`.
        let f = run(
            "func f(p *float32, a int32, n int64) float32",
            ArgUse {
                int_reads: 0b11,
                int_may_read: 0b11,
                float_reads: 0b1,
                float_may_read: 0b1,
                derefs: 0b1,
                stack_slots_read: 0,
            },
        );
        let m = f[0].error.to_string();
        assert!(
            m.contains("one of `a` (int32), `n` (int64) is probably a float"),
            "{m}"
        );
        assert!(matches!(f[0].place, Place::Decl(s) if s.col == 20), "{f:?}");
        // Two floats missing, one choice fits.
        let f = run("func f(x, y int32) float32", reads(0, 0b11));
        let m = f[0].error.to_string();
        assert!(
            m.contains("`x` (int32) and `y` (int32) are probably floats"),
            "{m}"
        );
        // No integer parameter is a plausible float: the function is named.
        let f = run("func f(p *byte) float32", reads(0b1, 0b11));
        assert!(f[0].error.to_string().contains("`xmm0`"));
        assert!(matches!(f[0].place, Place::Decl(s) if s.col == 6));
    }

    #[test]
    fn dereferenced_lengths_are_errors_and_plain_words_warnings() {
        // void add(float *a, float *b, float *out, size_t n) declared with three slices.
        let mut u = reads(0b1111, 0);
        u.derefs = 0b111;
        u.stack_slots_read = 0;
        let f = run("func add(a, b, out []float32)", u);
        let m = messages(&f);
        assert!(
            m.iter().any(|m| m.starts_with("error")
                && m.contains("`rsi`")
                && m.contains("`a`'s length")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|m| m.contains("`rdx`") && m.contains("`a`'s capacity")),
            "{m:?}"
        );
        // The same pointer declared uintptr: legitimate, but worth a warning.
        let mut u = reads(0b11, 0);
        u.derefs = 0b1;
        let f = run("func f(p uintptr, n int64)", u);
        assert_eq!(messages(&f).len(), 1);
        assert!(f[0].warning, "{f:?}");
        // A 32-bit integer cannot hold an address.
        let f = run("func f(p int32, n int64)", u);
        assert!(!f[0].warning, "{f:?}");
    }

    #[test]
    fn unread_parameters_are_warnings_except_slice_tails() {
        let f = run("func f(p *byte, n int64, extra int64)", reads(0b11, 0));
        let m = messages(&f);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("warning") && m[0].contains("`extra` (int64)"),
            "{m:?}"
        );
        // A whole slice unread is named once.
        let f = run("func f(p *byte, a []int32)", reads(0b1, 0));
        let m = messages(&f);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("`a` ([]int32)"), "{m:?}");
        // A float passed but never read.
        let f = run("func f(p *byte, k float64)", reads(0b1, 0));
        assert!(messages(&f)[0].contains("`xmm0`"), "{f:?}");
    }

    #[test]
    fn stack_arguments_are_numbered_as_the_c_prototype_counts() {
        let mut u = reads(0b11_1111, 0);
        u.stack_slots_read = 1;
        let f = run("func f(a, b, c, d, e, g int64)", u);
        assert!(f[0].error.to_string().contains("argument 7 "), "{f:?}");
        // With a float register argument before it, the stack argument is the eighth.
        let mut u = reads(0b11_1111, 0b1);
        u.stack_slots_read = 1;
        let f = run("func f(x float64, a, b, c, d, e, g int64)", u);
        assert!(f[0].error.to_string().contains("argument 8 "), "{f:?}");
        // AAPCS64: eight integer registers.
        let go = decl("func f(a, b, c, d, e, g, h, i int64)");
        let l = layout(&go);
        let locs = classify_aapcs_args(&l.args);
        let mut u = reads(0xff, 0);
        u.stack_slots_read = 2;
        let f = check(&go, &l, &locs, &u, &AAPCS64);
        let m = f[0].error.to_string();
        assert!(
            m.contains("stack argument #2") && m.contains("argument 10 "),
            "{m}"
        );
    }

    #[test]
    fn integer_registers_read_beyond_the_declaration() {
        let f = run("func f(a int64) int64", reads(0b11, 0));
        assert_eq!(f[0].place, Place::CFunction);
        assert!(f[0].error.to_string().contains("`rsi`"));
    }
}
