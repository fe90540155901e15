//! Splits the parsed items of a file into functions (text) and data sections, the way an
//! assembler would lay them out, and records where every symbol is defined.

use rustc_hash::FxHashMap as HashMap;

use super::LowerError;
use super::data::{DataSection, MAX_INITIALISED_BYTES, SectionKind};
use crate::parse::{Directive, Expr, Item, Located, SymbolAttr};
use crate::source::Span;

/// One C function: the code between its symbol label and the next function (or the end of
/// its section).
#[derive(Debug, Clone)]
pub struct Function<I> {
    pub name: String,
    pub span: Span,
    pub global: bool,
    pub body: Vec<Located<BodyItem<I>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BodyItem<I> {
    /// A local label (`.LBB0_3`, GCC's `.L3`).
    Label(String),
    /// Code alignment (`.p2align 4, 0x90` before a loop head).
    Align {
        bytes: u64,
        /// GAS's third `.p2align` argument: pad only if it takes at most this many bytes.
        max_skip: Option<u64>,
    },
    Instruction(I),
}

/// Where a symbol is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolDef {
    /// The entry of `functions[i]`.
    Function(usize),
    /// A label inside `functions[i]`.
    CodeLabel(usize),
    /// `offset` bytes into `data[section]`.
    Data { section: usize, offset: u64 },
}

#[derive(Debug, Clone)]
pub struct Program<I> {
    pub functions: Vec<Function<I>>,
    pub data: Vec<DataSection>,
    pub symbols: HashMap<String, SymbolDef>,
    /// `.set`/`.equ` aliases, resolved to their expression.
    pub aliases: HashMap<String, Expr>,
}

/// What a section holds, decided by its name and flags.
fn classify_section(name: &str, flags: Option<&str>) -> SectionKind {
    let has = |c: char| flags.is_some_and(|f| f.contains(c));
    if name == ".text" || name.starts_with(".text.") || has('x') {
        SectionKind::Code
    } else if name.starts_with(".tbss") || name.starts_with(".tdata") || has('T') {
        SectionKind::Tls
    } else if name.starts_with(".note")
        || name.starts_with(".comment")
        || name.starts_with(".debug")
        || name.starts_with(".llvm")
        || name.starts_with(".eh_frame")
        || name.starts_with(".gcc_except_table")
    {
        SectionKind::Metadata
    } else if name == ".bss" || name.starts_with(".bss.") || name.starts_with(".lbss") {
        SectionKind::Bss
    } else if name.starts_with(".rodata") || name.starts_with(".lrodata") {
        SectionKind::ReadOnly
    } else if name == ".data" || name.starts_with(".data.") || has('w') {
        SectionKind::Writable
    } else {
        SectionKind::ReadOnly
    }
}

struct Builder<I> {
    program: Program<I>,
    /// Index into `program.data` per section name.
    data_by_name: HashMap<String, usize>,
    /// The current section: name and kind.
    current: (String, SectionKind),
    section_stack: Vec<(String, SectionKind)>,
    previous: Option<(String, SectionKind)>,
    function_symbols: HashMap<String, bool>,
    globals: HashMap<String, ()>,
    errors: Vec<(Span, LowerError)>,
    /// Initialised data bytes of all sections so far (see [`MAX_INITIALISED_BYTES`]).
    initialised: u64,
    /// The body of the last function, while it is being read ([`Builder::close_body`]).
    open_body: Vec<Located<BodyItem<I>>>,
}

impl<I> Builder<I> {
    fn switch_to(&mut self, name: &str, flags: Option<&str>) {
        let kind = classify_section(name, flags);
        let next = (name.to_string(), kind);
        self.previous = Some(std::mem::replace(&mut self.current, next));
        if matches!(
            kind,
            SectionKind::ReadOnly | SectionKind::Writable | SectionKind::Bss | SectionKind::Tls
        ) && !self.data_by_name.contains_key(name)
        {
            self.data_by_name
                .insert(name.to_string(), self.program.data.len());
            self.program.data.push(DataSection::new(name, kind));
        }
    }

    fn current_data(&mut self) -> Option<&mut DataSection> {
        let idx = *self.data_by_name.get(&self.current.0)?;
        self.program.data.get_mut(idx)
    }

    fn define(&mut self, name: &str, def: SymbolDef, span: Span) {
        if self.program.symbols.insert(name.to_string(), def).is_some() {
            self.errors
                .push((span, LowerError::DuplicateSymbol(name.to_string())));
        }
    }

    /// A non-`.L` label in code starts a function when it is typed `@function` or global;
    /// otherwise it is a label inside the current function.
    fn is_function_start(&self, name: &str) -> bool {
        !name.starts_with(".L")
            && (self.function_symbols.contains_key(name) || self.globals.contains_key(name))
    }

    fn label(&mut self, name: &str, span: Span) {
        match self.current.1 {
            SectionKind::Code => {
                let first_real = self.program.functions.is_empty() && !name.starts_with(".L");
                if self.is_function_start(name) || first_real {
                    self.close_body();
                    let idx = self.program.functions.len();
                    self.define(name, SymbolDef::Function(idx), span);
                    self.program.functions.push(Function {
                        name: name.to_string(),
                        span,
                        global: self.globals.contains_key(name),
                        body: Vec::new(),
                    });
                } else if let Some(idx) = self.program.functions.len().checked_sub(1) {
                    self.define(name, SymbolDef::CodeLabel(idx), span);
                    self.push_body(BodyItem::Label(name.to_string()), span);
                }
            }
            SectionKind::Metadata => {}
            _ => {
                let section = self.data_by_name.get(&self.current.0).copied();
                if let Some(section) = section {
                    let offset = self.program.data[section].len();
                    self.define(name, SymbolDef::Data { section, offset }, span);
                    self.program.data[section].add_label(name, offset);
                }
            }
        }
    }

    fn push_body(&mut self, item: BodyItem<I>, span: Span) {
        if !self.program.functions.is_empty() {
            self.open_body.push(Located { item, span });
        }
    }

    /// Moves the body collected for the last function into it, at its exact size. Bodies
    /// are a large part of the memory a translation holds, and growing each in place
    /// copied it several times (a large input spent 8 % of its time there); one buffer
    /// that grows to the longest body is copied from once per function instead.
    fn close_body(&mut self) {
        if let Some(f) = self.program.functions.last_mut() {
            f.body.append(&mut self.open_body);
            f.body.shrink_to_fit();
        }
    }

    fn instruction(&mut self, ins: I, span: Span) {
        match self.current.1 {
            SectionKind::Code if !self.program.functions.is_empty() => {
                self.push_body(BodyItem::Instruction(ins), span)
            }
            SectionKind::Code => self.errors.push((span, LowerError::CodeOutsideFunction)),
            SectionKind::Metadata => {}
            _ => self
                .errors
                .push((span, LowerError::CodeInDataSection(self.current.0.clone()))),
        }
    }

    fn directive(&mut self, d: Directive, span: Span) {
        match d {
            Directive::Section { name, flags, .. } => self.switch_to(&name, flags.as_deref()),
            Directive::PushSection { name, flags, .. } => {
                self.section_stack.push(self.current.clone());
                self.switch_to(&name, flags.as_deref());
            }
            Directive::PopSection => match self.section_stack.pop() {
                Some(prev) => {
                    self.previous = Some(std::mem::replace(&mut self.current, prev));
                }
                None => self.errors.push((span, LowerError::SectionStackUnderflow)),
            },
            Directive::Previous => {
                if let Some(prev) = self.previous.take() {
                    self.previous = Some(std::mem::replace(&mut self.current, prev));
                }
            }
            Directive::Symbol { attr, names } => {
                if attr == SymbolAttr::Globl {
                    for n in names {
                        self.globals.insert(n, ());
                    }
                }
            }
            Directive::Type { symbol, kind } => {
                if kind.eq_ignore_ascii_case("function") || kind == "STT_FUNC" {
                    self.function_symbols.insert(symbol, true);
                }
            }
            Directive::Size { .. }
            | Directive::Ignored(_)
            | Directive::IntelSyntax { prefix: false } => {}
            Directive::IntelSyntax { prefix: true } => self.errors.push((
                span,
                LowerError::UnsupportedDirective(".intel_syntax prefix".into()),
            )),
            Directive::AttSyntax => self.errors.push((span, LowerError::AttSyntax)),
            Directive::Set { symbol, value } => {
                self.program.aliases.insert(symbol, value);
            }
            Directive::Align {
                bytes,
                fill,
                max_skip,
                ..
            } => match self.current.1 {
                SectionKind::Code => {
                    if bytes > 1 && !self.program.functions.is_empty() {
                        self.push_body(BodyItem::Align { bytes, max_skip }, span);
                    }
                }
                SectionKind::Metadata => {}
                _ => {
                    if let Some(sec) = self.current_data() {
                        sec.align(bytes, fill.unwrap_or(0));
                    }
                }
            },
            Directive::Common {
                symbol,
                size,
                align,
                local: _,
            } => {
                let name = format!(".comm.{symbol}");
                let idx = self.program.data.len();
                let mut sec = DataSection::new(&name, SectionKind::Bss);
                sec.align(align.unwrap_or(8).max(1), 0);
                sec.add_label(&symbol, 0);
                if let Err(limit) = sec.room_for(size) {
                    self.errors.push((span, too_large(&sec, size, limit)));
                    return;
                }
                sec.zero(size, 0);
                self.program.data.push(sec);
                self.define(
                    &symbol,
                    SymbolDef::Data {
                        section: idx,
                        offset: 0,
                    },
                    span,
                );
            }
            Directive::Data { .. }
            | Directive::Float { .. }
            | Directive::Zero { .. }
            | Directive::Ascii { .. } => self.data_directive(d, span),
            Directive::Unknown { name, .. } => self
                .errors
                .push((span, LowerError::UnsupportedDirective(name))),
        }
    }

    fn data_directive(&mut self, d: Directive, span: Span) {
        match self.current.1 {
            SectionKind::Metadata => {}
            SectionKind::Code => self.errors.push((span, LowerError::DataInCode)),
            _ => {
                let Some(&idx) = self.data_by_name.get(&self.current.0) else {
                    return;
                };
                // Initialised bytes of all sections together stay within the limit too.
                if let Directive::Zero { size, .. } = d
                    && self.program.data[idx].kind != SectionKind::Bss
                    && self.program.data[idx].room_for(size).is_ok()
                    && u128::from(self.initialised) + u128::from(size)
                        > u128::from(MAX_INITIALISED_BYTES)
                {
                    let e = LowerError::DataTooLarge {
                        what: format!(
                            "the initialised data of all sections (`{}` and those before)",
                            self.program.data[idx].name
                        ),
                        size: u128::from(self.initialised) + u128::from(size),
                        limit: MAX_INITIALISED_BYTES,
                    };
                    self.errors.push((span, e));
                    return;
                }
                let sec = &mut self.program.data[idx];
                let before = sec.len();
                match d {
                    Directive::Data { width, values } => {
                        for v in values {
                            sec.value(width, v, span);
                        }
                    }
                    Directive::Float { width, bits } => {
                        for b in bits {
                            sec.bytes(&b.to_le_bytes()[..width as usize]);
                        }
                    }
                    Directive::Zero { size, fill } => match sec.room_for(size) {
                        Ok(()) => sec.zero(size, fill),
                        Err(limit) => {
                            let e = too_large(sec, size, limit);
                            self.errors.push((span, e));
                        }
                    },
                    Directive::Ascii {
                        bytes,
                        zero_terminated,
                    } => {
                        sec.bytes(&bytes);
                        if zero_terminated {
                            sec.bytes(&[0]);
                        }
                    }
                    _ => {}
                }
                if sec.kind != SectionKind::Bss {
                    self.initialised += sec.len() - before;
                }
            }
        }
    }
}

fn too_large(sec: &DataSection, size: u64, limit: u64) -> LowerError {
    LowerError::DataTooLarge {
        what: format!("data section `{}`", sec.name),
        size: u128::from(sec.len()) + u128::from(size),
        limit,
    }
}

/// Which symbols are functions (`.type sym,@function`) and which are global (`.globl`):
/// what pass 2 needs to know before it sees a label.
#[derive(Debug, Clone, Default)]
pub struct SymbolKinds {
    pub functions: HashMap<String, bool>,
    pub globals: HashMap<String, ()>,
}

impl SymbolKinds {
    /// What the `.type`/`.globl` directives of `file` say (see
    /// [`crate::parse::symbol_directives`]), so the full parse can stream into a
    /// [`ProgramBuilder`].
    pub fn scan(file: &crate::source::SourceFile, dialect: crate::parse::Dialect) -> SymbolKinds {
        let mut kinds = SymbolKinds::default();
        crate::parse::symbol_directives(file, dialect, &mut |d| kinds.note(&d));
        kinds
    }

    /// Records what `d` says about symbols.
    pub fn note(&mut self, d: &Directive) {
        match d {
            Directive::Type { symbol, kind }
                if kind.eq_ignore_ascii_case("function") || kind == "STT_FUNC" =>
            {
                self.functions.insert(symbol.clone(), true);
            }
            Directive::Symbol {
                attr: SymbolAttr::Globl,
                names,
            } => {
                for n in names {
                    self.globals.insert(n.clone(), ());
                }
            }
            _ => {}
        }
    }
}

/// Builds a [`Program`] from items fed one at a time (so a parser can stream into it
/// without holding every item of a large file twice).
pub struct ProgramBuilder<I> {
    b: Builder<I>,
}

impl<I> ProgramBuilder<I> {
    /// `kinds` must cover the whole file (`.type`/`.globl` may come after the label).
    pub fn new(kinds: SymbolKinds) -> ProgramBuilder<I> {
        ProgramBuilder {
            b: Builder {
                program: Program {
                    functions: Vec::new(),
                    data: Vec::new(),
                    symbols: HashMap::default(),
                    aliases: HashMap::default(),
                },
                data_by_name: HashMap::default(),
                current: (".text".to_string(), SectionKind::Code),
                section_stack: Vec::new(),
                previous: None,
                function_symbols: kinds.functions,
                globals: kinds.globals,
                errors: Vec::new(),
                initialised: 0,
                open_body: Vec::new(),
            },
        }
    }

    pub fn push(&mut self, it: Located<Item<I>>) {
        match it.item {
            Item::Label(name) => self.b.label(&name, it.span),
            Item::Directive(d) => self.b.directive(d, it.span),
            Item::Instruction(ins) => self.b.instruction(ins, it.span),
        }
    }

    pub fn finish(self) -> Result<Program<I>, Vec<(Span, LowerError)>> {
        let mut b = self.b;
        // Globals are only known to be code after pass 1: keep `global` exact.
        for f in &mut b.program.functions {
            f.global = b.globals.contains_key(&f.name);
        }
        b.close_body();
        if b.errors.is_empty() {
            Ok(b.program)
        } else {
            Err(b.errors)
        }
    }
}

/// Lays out `items` into functions and data sections.
///
/// Pass 1 records which symbols are functions (`.type`/`.globl` may come before or after
/// the label), pass 2 builds the program.
pub fn build_program<I>(
    items: Vec<Located<Item<I>>>,
) -> Result<Program<I>, Vec<(Span, LowerError)>> {
    let mut kinds = SymbolKinds::default();
    for it in &items {
        if let Item::Directive(d) = &it.item {
            kinds.note(d);
        }
    }
    let mut builder = ProgramBuilder::new(kinds);
    for it in items {
        builder.push(it);
    }
    builder.finish()
}
