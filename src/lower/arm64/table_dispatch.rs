//! AArch64 jump-table dispatch: proof that a `br` goes through a table, and its
//! translation to code whose every address Go's assembler computes.
//!
//! Compilers dispatch with `adrp`/`add :lo12:` to the table, a `ldrb`/`ldrh`/`ldr` of the
//! entry, `adr xA, anchor`, `add xT, xA, xE, lsl #2` (clang) or `…, wE, sxtb #2` (GCC), `br
//! xT`: entries are distances in instructions from the anchor label to the cases. A forward
//! dataflow over the function tracks what each of x0–x30 holds (a data page, a table's
//! address, an entry with how it was extended, the anchor's address, their sum); a `br` is
//! a dispatch when its register holds an anchor-plus-entry of one table on every path.
//! Every entry is then checked against the object: anchor + the entry as the code extends
//! it must be exactly the offset of the label the source names.
//!
//! Translation. The distance from the anchor to a case is not preserved in Go's output
//! (an `adrp` becomes a two-instruction `MOVD $sym(SB)`), and the translator must not
//! assume what Go's assembler inserts. So the anchor `adr` becomes Go's native `ADR ladder,
//! Rn` (the address is Go's to compute), and after the function's body a *ladder* of native
//! `JMP case` instructions, one per distinct target, is emitted; each table entry is
//! rewritten to its target's slot number (minus the slot the label sits at, so signed
//! entries fit). What this relies on is only that consecutive ladder `JMP`s are 4 bytes
//! apart: an unconditional `B` is one fixed 4-byte word with a ±128 MiB range that Go never
//! rewrites (cmd/internal/obj/arm64 `fixUpLongBranch` only lengthens 14- and 19-bit
//! branches), the ladder holds no `PCALIGN`, and Go flushes a literal pool after an
//! unconditional branch only when the pool is non-empty — no instruction this translator
//! emits takes a literal (`MOVD $sym(SB)` is `ADRP`+`ADD`, branches, calls, `RET`, `WORD`
//! and `ADR` carry none). The dispatch costs one extra direct branch.

use rustc_hash::FxHashMap as HashMap;

use yaxpeax_arm::armv8::a64::{Instruction, Opcode, Operand, ShiftStyle, SizeCode};

use super::code::{FnCode, Insn};
use super::object_file::{ObjectFile, Reloc, Target, r_type};
use super::rewrite::{Flow, GPR, Lowered, go_label};
use super::writes::{Written, written_gprs};
use crate::emit::model::{GoInstr, GoOperand, Line};
use crate::lower::LowerError;
use crate::lower::jump_tables::JumpTables;
use crate::source::Span;

/// How the code extends an entry into the offset it adds (before `<< shift`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extend {
    Lsl,
    Uxtb,
    Uxth,
    Uxtw,
    Sxtb,
    Sxth,
    Sxtw,
}

/// The load of an entry: sign- or zero-extending, into a W or X register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Load {
    signed: bool,
    wide: bool,
}

/// Everything between a table's raw entry and the offset added to the anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ext {
    width: u8,
    load: Load,
    extend: Extend,
    shift: u8,
}

fn sext(v: u64, bits: u32) -> u64 {
    let s = 64 - bits;
    (((v << s) as i64) >> s) as u64
}

impl Ext {
    /// The byte offset the code adds to the anchor for the raw entry `raw`.
    fn offset(&self, raw: u64) -> i64 {
        let bits = 8 * u32::from(self.width);
        let mut v = raw & mask(self.width);
        if self.load.signed {
            v = sext(v, bits);
        }
        if !self.load.wide {
            v &= 0xffff_ffff;
        }
        let v = match self.extend {
            Extend::Lsl => v,
            Extend::Uxtb => v & 0xff,
            Extend::Uxth => v & 0xffff,
            Extend::Uxtw => v & 0xffff_ffff,
            Extend::Sxtb => sext(v, 8),
            Extend::Sxth => sext(v, 16),
            Extend::Sxtw => sext(v, 32),
        };
        v.wrapping_shl(u32::from(self.shift)) as i64
    }

    /// What an entry counts — bytes (1) or instructions (4) — and whether as a signed
    /// number; `None` for any other arithmetic.
    fn units(&self) -> Option<(i64, bool)> {
        let all = mask(self.width);
        let unit = self.offset(1);
        if unit != 1 && unit != 4 {
            return None;
        }
        match self.offset(all) {
            o if o == -unit => Some((unit, true)),
            o if o > 0 && o as u64 == all.wrapping_mul(unit as u64) => Some((unit, false)),
            _ => None,
        }
    }
}

fn mask(width: u8) -> u64 {
    if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * u32::from(width))) - 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Unknown,
    /// `adrp`: the 4 KiB page holding `offset` of ELF section `section`.
    Page {
        section: usize,
        page: u64,
    },
    /// A data address: `offset` bytes into ELF section `section`.
    Addr {
        section: usize,
        offset: u64,
    },
    /// An entry of table `table`, as loaded.
    Entry {
        table: usize,
        load: Load,
    },
    /// The address `adr` instruction `adr` computed.
    Anchor {
        adr: usize,
    },
    /// Anchor plus an extended, shifted entry.
    Target {
        table: usize,
        adr: usize,
        ext: Ext,
    },
}

type State = [Val; 31];

/// A function's proven dispatches and how they are translated.
#[derive(Debug, Clone, Default)]
pub struct Translation {
    /// Successors (code offsets) of each dispatching `br`, by instruction index.
    pub targets: HashMap<usize, Vec<u64>>,
    /// The native `ADR` replacing each anchor `adr`, by instruction index.
    pub anchors: HashMap<usize, GoInstr>,
    /// Ladders, emitted after the body.
    pub ladders: Vec<Ladder>,
    /// Rewritten table entries: (ELF section, offset, bytes).
    pub patches: Vec<(usize, u64, Vec<u8>)>,
}

/// `JMP`s to the distinct targets of one or more tables; the `ADR`s point at `label`,
/// which stands before slot `base`.
#[derive(Debug, Clone)]
pub struct Ladder {
    pub label: String,
    pub base: usize,
    /// Target code offset of each slot.
    pub slots: Vec<u64>,
}

impl Ladder {
    /// The ladder's lines; `label_at` names the Go label of a code offset.
    pub fn lines(&self, label_at: &dyn Fn(u64) -> String) -> Vec<Line> {
        let mut out = Vec::with_capacity(self.slots.len() + 2);
        out.push(Line::Comment(
            "jump-table ladder: one 4-byte JMP per case; table entries are slot numbers".into(),
        ));
        for (k, off) in self.slots.iter().enumerate() {
            if k == self.base {
                out.push(Line::Label(self.label.as_str().into()));
            }
            out.push(Line::Native {
                instr: GoInstr::new("JMP", vec![GoOperand::Label(label_at(*off).into())]),
                comment: None,
            });
        }
        out
    }
}

/// What the proof reads.
pub struct Inputs<'a, 'c> {
    pub code: &'a FnCode<'c>,
    pub lowered: &'a [Lowered],
    pub object: &'a ObjectFile,
    pub tables: &'a JumpTables,
    /// Table index by (ELF section, offset of its first entry).
    pub table_at: &'a HashMap<(usize, u64), usize>,
    /// What a call of function `f` may write (its instructions' writes and its callees',
    /// transitively): GCC keeps values in caller-saved registers across calls of static
    /// functions it knows leave them alone (`-fipa-ra`).
    pub clobbers: &'a dyn Fn(usize) -> Written,
}

type Failure = (Span, LowerError);

fn reg(o: &Operand) -> Option<usize> {
    match o {
        Operand::Register(_, n) | Operand::RegisterOrSP(_, n) if *n < 31 => Some(*n as usize),
        _ => None,
    }
}

fn is_x(o: &Operand) -> bool {
    matches!(
        o,
        Operand::Register(SizeCode::X, _) | Operand::RegisterOrSP(SizeCode::X, _)
    )
}

fn extend_of(s: ShiftStyle) -> Option<Extend> {
    Some(match s {
        ShiftStyle::LSL | ShiftStyle::UXTX | ShiftStyle::SXTX => Extend::Lsl,
        ShiftStyle::UXTB => Extend::Uxtb,
        ShiftStyle::UXTH => Extend::Uxth,
        ShiftStyle::UXTW => Extend::Uxtw,
        ShiftStyle::SXTB => Extend::Sxtb,
        ShiftStyle::SXTH => Extend::Sxth,
        ShiftStyle::SXTW => Extend::Sxtw,
        _ => return None,
    })
}

impl Inputs<'_, '_> {
    fn reloc(&self, offset: u64) -> Option<&Reloc> {
        self.object
            .sections
            .get(&self.code.section)?
            .relocs
            .get(&offset)
    }

    /// The state after instruction `i`.
    fn transfer(&self, i: usize, insn: &Insn<'_>, pre: &State) -> State {
        let d = &insn.decoded;
        let mut post = *pre;
        let written = match self.lowered[i].flow {
            Flow::Call(g) => (self.clobbers)(g).union(Written::LINK),
            // A word the decoder does not know (see `code::opaque`): forget everything.
            _ if d.opcode == Opcode::Invalid => Written::ALL,
            _ => written_gprs(d),
        };
        for r in written.registers() {
            post[r] = Val::Unknown;
        }
        let Some(dst) = reg(&d.operands[0]) else {
            return post;
        };
        if let Some(_off) = self.lowered[i].anchor {
            post[dst] = Val::Anchor { adr: i };
            return post;
        }
        let reloc = self.reloc(insn.offset);
        let local = |r: &Reloc| match r.target {
            Target::Local { section, offset } => u64::try_from(offset).ok().map(|o| (section, o)),
            Target::Undefined(_) => None,
        };
        let val = |o: &Operand| reg(o).map(|r| pre[r]).unwrap_or(Val::Unknown);
        post[dst] = match (d.opcode, reloc) {
            (Opcode::ADRP, Some(r))
                if matches!(
                    r.r_type,
                    r_type::ADR_PREL_PG_HI21 | r_type::ADR_PREL_PG_HI21_NC
                ) =>
            {
                match local(r) {
                    Some((section, o)) => Val::Page {
                        section,
                        page: o & !0xfff,
                    },
                    None => Val::Unknown,
                }
            }
            (Opcode::ADD, Some(r)) if r.r_type == r_type::ADD_ABS_LO12_NC => {
                match (local(r), val(&d.operands[1])) {
                    (Some((section, o)), Val::Page { section: s, page })
                        if s == section && page == o & !0xfff =>
                    {
                        Val::Addr { section, offset: o }
                    }
                    _ => Val::Unknown,
                }
            }
            (
                Opcode::LDRB
                | Opcode::LDRH
                | Opcode::LDR
                | Opcode::LDRSB
                | Opcode::LDRSH
                | Opcode::LDRSW,
                None,
            ) => self.entry(d, pre),
            (Opcode::ADD, None) if is_x(&d.operands[0]) => {
                // `add xT, xA, xE` is `lsl #0`.
                let entry = match d.operands[2] {
                    Operand::Register(SizeCode::X, e) => {
                        Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::X, e)
                    }
                    o => o,
                };
                match (val(&d.operands[1]), entry) {
                    (Val::Anchor { adr }, Operand::RegShift(style, shift, _, e)) if e < 31 => {
                        match (pre[e as usize], extend_of(style)) {
                            (Val::Entry { table, load }, Some(extend)) => Val::Target {
                                table,
                                adr,
                                ext: Ext {
                                    width: self.tables.tables[table].width,
                                    load,
                                    extend,
                                    shift,
                                },
                            },
                            _ => Val::Unknown,
                        }
                    }
                    _ => Val::Unknown,
                }
            }
            // mov xD, xS
            (Opcode::ORR, None)
                if is_x(&d.operands[0])
                    && matches!(d.operands[1], Operand::Register(_, 31))
                    && matches!(
                        d.operands[2],
                        Operand::RegShift(ShiftStyle::LSL, 0, SizeCode::X, _)
                    ) =>
            {
                match d.operands[2] {
                    Operand::RegShift(_, _, _, s) if s < 31 => pre[s as usize],
                    _ => Val::Unknown,
                }
            }
            _ => post[dst],
        };
        post
    }

    /// `ldrb`/`ldrh`/`ldr w`/`ldrs*` of a whole entry of a table: `[table, index]` with
    /// the index scaled by the entry width.
    fn entry(&self, d: &Instruction, pre: &State) -> Val {
        let (width, signed) = match d.opcode {
            Opcode::LDRB => (1, false),
            Opcode::LDRH => (2, false),
            Opcode::LDR if matches!(d.operands[0], Operand::Register(SizeCode::W, _)) => (4, false),
            Opcode::LDRSB => (1, true),
            Opcode::LDRSH => (2, true),
            Opcode::LDRSW => (4, true),
            _ => return Val::Unknown,
        };
        let Operand::RegRegOffset(base, _, _, _, shift) = d.operands[1] else {
            return Val::Unknown;
        };
        let scale = match width {
            1 => 0,
            2 => 1,
            _ => 2,
        };
        let Some(Val::Addr { section, offset }) = (base < 31).then(|| pre[base as usize]) else {
            return Val::Unknown;
        };
        match self.table_at.get(&(section, offset)) {
            Some(&table)
                if self.tables.tables[table].width == width
                    && (shift == scale || (width == 1 && shift == 0)) =>
            {
                Val::Entry {
                    table,
                    load: Load {
                        signed,
                        wide: is_x(&d.operands[0]),
                    },
                }
            }
            _ => Val::Unknown,
        }
    }
}

/// Successor instruction indices of instruction `i`.
fn successors(
    lowered: &[Lowered],
    i: usize,
    index_of: &HashMap<u64, usize>,
    resolved: &HashMap<usize, Vec<u64>>,
) -> Vec<usize> {
    let next = (i + 1 < lowered.len()).then_some(i + 1);
    let at = |o: &u64| index_of.get(o).copied();
    match lowered[i].flow {
        Flow::Next | Flow::Call(_) => next.into_iter().collect(),
        Flow::Jump(o) => at(&o).into_iter().collect(),
        Flow::CondJump(o) => at(&o).into_iter().chain(next).collect(),
        Flow::TailCall(_) | Flow::Return | Flow::Trap => Vec::new(),
        Flow::Dispatch => resolved
            .get(&i)
            .into_iter()
            .flatten()
            .filter_map(at)
            .collect(),
    }
}

/// A proven dispatch: the table and the anchor `adr` it goes through.
#[derive(Debug, Clone, Copy)]
struct Dispatch {
    table: usize,
    adr: usize,
    ext: Ext,
}

/// Proves every `br` of the function a table dispatch (or reports it) and translates them.
pub fn translate(inp: &Inputs<'_, '_>) -> Result<Translation, Vec<Failure>> {
    let insns: Vec<_> = inp.code.insns().collect();
    let index_of: HashMap<u64, usize> = insns
        .iter()
        .enumerate()
        .map(|(i, n)| (n.offset, i))
        .collect();
    let mut resolved: HashMap<usize, Vec<u64>> = HashMap::default();
    let mut dispatches: HashMap<usize, Dispatch> = HashMap::default();
    // Each round analyses with the dispatches proven so far as edges; the last round adds
    // none, so its states are the fixpoint over the final graph. Facts only weaken, so a
    // dispatch is proven when its register still holds the same target there.
    let mut states;
    loop {
        states = analyse(inp, &insns, &index_of, &resolved);
        let mut changed = false;
        for (i, l) in inp.lowered.iter().enumerate() {
            if l.flow != Flow::Dispatch || dispatches.contains_key(&i) {
                continue;
            }
            let Some(state) = &states[i] else { continue };
            let Some(Val::Target { table, adr, ext }) =
                reg(&insns[i].decoded.operands[0]).map(|r| state[r])
            else {
                continue;
            };
            let offsets = check_entries(inp, &insns, table, adr, ext)
                .map_err(|e| vec![(insns[i].span, e)])?;
            let mut distinct: Vec<u64> = Vec::new();
            for o in offsets {
                if !distinct.contains(&o) {
                    distinct.push(o);
                }
            }
            resolved.insert(i, distinct);
            dispatches.insert(i, Dispatch { table, adr, ext });
            changed = true;
        }
        if !changed {
            break;
        }
    }
    dispatches.retain(|&i, d| {
        let held = states[i].and_then(|st| reg(&insns[i].decoded.operands[0]).map(|r| st[r]));
        held == Some(Val::Target {
            table: d.table,
            adr: d.adr,
            ext: d.ext,
        })
    });
    let mut errors: Vec<Failure> = Vec::new();
    for (i, l) in inp.lowered.iter().enumerate() {
        if l.flow == Flow::Dispatch && !dispatches.contains_key(&i) {
            errors.push((insns[i].span, LowerError::IndirectJump));
        }
        if l.anchor.is_some() && !dispatches.values().any(|d| d.adr == i) {
            errors.push((
                insns[i].span,
                LowerError::PcRelative(insns[i].source.text.clone()),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = ladders(inp, &insns, &dispatches).map_err(|e| {
        let span = insns.first().map(|n| n.span).unwrap_or_default();
        vec![(span, e)]
    })?;
    out.targets = resolved;
    Ok(out)
}

fn analyse(
    inp: &Inputs<'_, '_>,
    insns: &[&Insn<'_>],
    index_of: &HashMap<u64, usize>,
    resolved: &HashMap<usize, Vec<u64>>,
) -> Vec<Option<State>> {
    let n = insns.len();
    let mut states: Vec<Option<State>> = vec![None; n];
    if n == 0 {
        return states;
    }
    states[0] = Some([Val::Unknown; 31]);
    let mut work = vec![0usize];
    while let Some(i) = work.pop() {
        let Some(pre) = states[i] else { continue };
        let post = inp.transfer(i, insns[i], &pre);
        for s in successors(inp.lowered, i, index_of, resolved) {
            let merged = match &states[s] {
                None => Some(post),
                Some(old) => {
                    let mut m = *old;
                    for (a, b) in m.iter_mut().zip(post) {
                        if *a != b {
                            *a = Val::Unknown;
                        }
                    }
                    (m != *old).then_some(m)
                }
            };
            if let Some(m) = merged {
                states[s] = Some(m);
                work.push(s);
            }
        }
    }
    states
}

/// The raw entries of `table` in the object.
fn raw_entries(inp: &Inputs<'_, '_>, table: usize) -> Result<(usize, u64, Vec<u64>), LowerError> {
    let t = &inp.tables.tables[table];
    let (&(section, offset), _) =
        inp.table_at
            .iter()
            .find(|(_, v)| **v == table)
            .ok_or_else(|| {
                LowerError::LayoutMismatch(format!("table `{}` not in the object", t.label))
            })?;
    let data = &inp.object.sections[&section].data;
    let w = usize::from(t.width);
    let mut out = Vec::with_capacity(t.targets.len());
    for k in 0..t.targets.len() {
        let at = offset as usize + k * w;
        let bytes = data.get(at..at + w).ok_or_else(|| {
            LowerError::LayoutMismatch(format!("table `{}` runs past its section", t.label))
        })?;
        out.push(
            bytes
                .iter()
                .rev()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        );
    }
    Ok((section, offset, out))
}

/// The target offset of every entry, checked against the labels the source names.
fn check_entries(
    inp: &Inputs<'_, '_>,
    insns: &[&Insn<'_>],
    table: usize,
    adr: usize,
    ext: Ext,
) -> Result<Vec<u64>, LowerError> {
    let t = &inp.tables.tables[table];
    let anchor = inp.lowered[adr].anchor.unwrap_or(insns[adr].offset);
    let (_, _, raw) = raw_entries(inp, table)?;
    let mut out = Vec::with_capacity(raw.len());
    for (k, (r, label)) in raw.iter().zip(&t.targets).enumerate() {
        let expected = inp.code.label_offsets.get(label.as_str()).copied();
        let computed = u64::try_from(anchor as i64 + ext.offset(*r)).ok();
        if expected.is_none() || expected != computed {
            return Err(LowerError::LayoutMismatch(format!(
                "entry {k} of jump table `{}` does not lead to `{label}`",
                t.label
            )));
        }
        out.push(computed.unwrap_or_default());
    }
    Ok(out)
}

/// Groups the dispatches that share tables or anchors, and builds one ladder per group.
fn ladders(
    inp: &Inputs<'_, '_>,
    insns: &[&Insn<'_>],
    dispatches: &HashMap<usize, Dispatch>,
) -> Result<Translation, LowerError> {
    // Union-find over tables (t) and anchors (n_tables + adr).
    let n_tables = inp.tables.tables.len();
    let mut parent: HashMap<usize, usize> = HashMap::default();
    fn find(parent: &mut HashMap<usize, usize>, x: usize) -> usize {
        let p = *parent.entry(x).or_insert(x);
        if p == x {
            return x;
        }
        let r = find(parent, p);
        parent.insert(x, r);
        r
    }
    let mut sorted: Vec<(&usize, &Dispatch)> = dispatches.iter().collect();
    sorted.sort_by_key(|(i, _)| **i);
    for (_, d) in &sorted {
        let a = find(&mut parent, d.table);
        let b = find(&mut parent, n_tables + d.adr);
        parent.insert(a, b);
    }
    let mut groups: Vec<usize> = Vec::new();
    let mut out = Translation::default();
    for (_, d) in &sorted {
        let g = find(&mut parent, d.table);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    for (gi, g) in groups.iter().enumerate() {
        let members: Vec<&Dispatch> = sorted
            .iter()
            .map(|(_, d)| *d)
            .filter(|d| find(&mut parent, d.table) == *g)
            .collect();
        // Each table with what its entries count (the same in every dispatch through it).
        let mut tables: Vec<(usize, (i64, bool))> = Vec::new();
        for d in &members {
            let label = &inp.tables.tables[d.table].label;
            let units = d.ext.units().ok_or_else(|| {
                LowerError::UntranslatableJumpTable(
                    label.clone(),
                    "its entries are not plain numbers of bytes or instructions".into(),
                )
            })?;
            match tables.iter().find(|(t, _)| *t == d.table) {
                Some((_, u)) if *u != units => {
                    return Err(LowerError::UntranslatableJumpTable(
                        label.clone(),
                        "dispatched with two different extensions".into(),
                    ));
                }
                Some(_) => {}
                None => tables.push((d.table, units)),
            }
        }
        tables.sort_unstable();
        let mut slots: Vec<u64> = Vec::new();
        let mut targets_of: HashMap<usize, Vec<u64>> = HashMap::default();
        for (t, _) in &tables {
            let d = members.iter().find(|d| d.table == *t).expect("member");
            let offsets = check_entries(inp, insns, *t, d.adr, d.ext)?;
            for o in &offsets {
                if !slots.contains(o) {
                    slots.push(*o);
                }
            }
            targets_of.insert(*t, offsets);
        }
        let n = slots.len() as i64;
        let kinds: Vec<(u8, bool, i64)> = tables
            .iter()
            .map(|(t, (unit, signed))| (inp.tables.tables[*t].width, *signed, 4 / unit))
            .collect();
        let base = choose_base(n, &kinds).ok_or_else(|| {
            LowerError::UntranslatableJumpTable(
                inp.tables.tables[tables[0].0].label.clone(),
                format!("{n} distinct targets do not fit its entries"),
            )
        })?;
        for (t, (unit, _)) in &tables {
            let d = members.iter().find(|d| d.table == *t).expect("member");
            let per_slot = 4 / unit;
            let (section, offset, _) = raw_entries(inp, *t)?;
            let w = usize::from(inp.tables.tables[*t].width);
            let mut bytes = Vec::with_capacity(targets_of[t].len() * w);
            for o in &targets_of[t] {
                let slot = slots.iter().position(|s| s == o).expect("slot") as i64;
                let v = slot - base;
                let raw = ((v * per_slot) as u64) & mask(w as u8);
                // By construction: the code turns the new entry into the slot's distance.
                if d.ext.offset(raw) != 4 * v {
                    return Err(LowerError::UntranslatableJumpTable(
                        inp.tables.tables[*t].label.clone(),
                        format!("slot {slot} cannot be encoded"),
                    ));
                }
                bytes.extend_from_slice(&raw.to_le_bytes()[..w]);
            }
            out.patches.push((section, offset, bytes));
        }
        let label = format!("c2goasm_ladder_{gi}");
        let mut adrs: Vec<usize> = members.iter().map(|d| d.adr).collect();
        adrs.sort_unstable();
        adrs.dedup();
        for a in adrs {
            let r = reg(&insns[a].decoded.operands[0]).unwrap_or(0);
            out.anchors.insert(
                a,
                GoInstr::new(
                    "ADR",
                    vec![
                        GoOperand::Label(label.as_str().into()),
                        GoOperand::Reg(GPR[r]),
                    ],
                ),
            );
        }
        out.ladders.push(Ladder {
            label,
            base: base as usize,
            slots,
        });
    }
    Ok(out)
}

/// The slot the ladder's label stands before, so that every slot number minus it fits every
/// table of the group: `kinds` gives each table's entry width, signedness and entry units
/// per slot (1 for entries counting instructions, 4 for bytes).
fn choose_base(n: i64, kinds: &[(u8, bool, i64)]) -> Option<i64> {
    let fits = |v: i64, width: u8, signed: bool| {
        let bits = 8 * u32::from(width);
        if bits >= 64 {
            return true;
        }
        if signed {
            v >= -(1i64 << (bits - 1)) && v < (1i64 << (bits - 1))
        } else {
            v >= 0 && v < (1i64 << bits)
        }
    };
    (0..n.max(1)).find(|m| {
        kinds
            .iter()
            .all(|(w, s, k)| fits(-m * k, *w, *s) && fits((n - 1 - m) * k, *w, *s))
    })
}

/// The Go label of code offset `off` (the first source label there).
pub fn label_at(code: &FnCode<'_>, off: u64) -> String {
    code.labels_at
        .get(&off)
        .map(|l| go_label(l))
        .unwrap_or_else(|| format!("off_{off}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(width: u8, signed_load: bool, extend: Extend) -> Ext {
        Ext {
            width,
            load: Load {
                signed: signed_load,
                wide: false,
            },
            extend,
            shift: 2,
        }
    }

    #[test]
    fn clang_zero_extends_and_gcc_sign_extends_entries() {
        // clang: ldrb w11, [x22, x9]; add x10, x10, x11, lsl #2
        let clang = ext(1, false, Extend::Lsl);
        assert_eq!(clang.offset(0xff), 0x3fc);
        assert_eq!(clang.units(), Some((4, false)));
        // GCC: ldrb w1, [x1, w0, uxtw]; add x1, x2, w1, sxtb #2
        let gcc = ext(1, false, Extend::Sxtb);
        assert_eq!(gcc.offset(0xff), -4);
        assert_eq!(gcc.units(), Some((4, true)));
        assert_eq!(ext(2, false, Extend::Sxth).offset(0x8000), -(0x8000 << 2));
        // A halfword entry truncated to a byte is not a number of instructions.
        assert_eq!(ext(2, false, Extend::Uxtb).units(), None);
        // A sign-extending load into a W register, then added as 64 bits: neither.
        assert_eq!(ext(1, true, Extend::Lsl).units(), None);
        // clang without compression: ldrsw x16, [x11, x14, lsl #2]; add x15, x15, x16
        let bytes = Ext {
            width: 4,
            load: Load {
                signed: true,
                wide: true,
            },
            extend: Extend::Lsl,
            shift: 0,
        };
        assert_eq!(bytes.units(), Some((1, true)));
    }

    #[test]
    fn the_ladder_base_makes_slot_numbers_fit_signed_and_unsigned_entries() {
        assert_eq!(choose_base(3, &[(1, false, 1)]), Some(0));
        assert_eq!(choose_base(256, &[(1, false, 1)]), Some(0));
        assert_eq!(choose_base(257, &[(1, false, 1)]), None);
        // 200 targets in signed bytes: slots -128..=71.
        assert_eq!(choose_base(200, &[(1, true, 1)]), Some(72));
        assert_eq!(choose_base(200, &[(1, true, 1), (2, false, 1)]), None);
        assert_eq!(choose_base(200, &[(1, true, 1), (2, true, 1)]), Some(72));
        assert_eq!(choose_base(300, &[(2, false, 1), (2, true, 1)]), Some(0));
        // Entries counting bytes: four per slot.
        assert_eq!(choose_base(40, &[(1, true, 4)]), Some(8));
    }
}
