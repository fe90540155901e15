//! The fuzzed entry points, one function per target (`fuzz_targets/NAME.rs` calls `NAME`).
//!
//! Shared by the libFuzzer targets (nightly, `cargo fuzz run NAME`) and by the corpus
//! replay test of the main crate (`tests/fuzz_corpora.rs`, stable, includes this file as a
//! module), so a committed corpus file goes through exactly what the campaign ran. Each
//! entry point may return errors for any input; it must not panic, hang or exhaust memory.
//! Errors are rendered too: a diagnostic's caret line is part of what users see.

use std::path::Path;

use c2goasm_rs::{Arch, Options, SourceFile, abi, translate};

/// Declarations for every function of the x86-64 fixtures (variant suffixes removed, as in
/// the seeds), plus generic ones for the error fixtures: `make_seeds.py` writes it.
pub const AMD64_DECLS: &str = include_str!("../decls/fuzz_amd64.go");
/// The same for the AArch64 fixtures.
pub const ARM64_DECLS: &str = include_str!("../decls/fuzz_arm64.go");

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn translate_rendered(asm: &SourceFile, decls: &str, arch: Arch) {
    let decls = SourceFile::new(format!("fuzz_{}.go", arch.go_name()), decls.to_string());
    let options = Options {
        arch: Some(arch),
        ..Options::default()
    };
    if let Err(e) = translate(asm, &decls, &options) {
        let _ = e.to_string();
    }
}

/// x86-64 assembly text through the whole translation (fixed declarations).
pub fn x86_translate(data: &[u8]) {
    let asm = SourceFile::new("fuzz.s", text(data));
    translate_rendered(&asm, AMD64_DECLS, Arch::Amd64);
}

/// AArch64 assembly text through everything before the system assembler: parsing, layout,
/// binding (the assembler call answers an error, so no process is spawned).
pub fn arm64_front(data: &[u8]) {
    use c2goasm_rs::lower::arm64::assembler::{AssembleError, with_object};
    let asm = SourceFile::new("fuzz.s", text(data));
    let stop = Err(AssembleError::Io("fuzzing: no assembler".into()));
    with_object(stop, || translate_rendered(&asm, ARM64_DECLS, Arch::Arm64));
}

/// AArch64 assembly text and the object the assembler made of it, separated by the first
/// NUL byte (text never contains one): the lowering from the object on (ELF reading,
/// decoding, PC-relative rewriting, stack model, emission).
pub fn arm64_object(data: &[u8]) {
    use c2goasm_rs::lower::arm64::assembler::with_object;
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let asm = SourceFile::new("fuzz.s", text(&data[..split]));
    let object = data.get(split + 1..).unwrap_or(&[]).to_vec();
    with_object(Ok(object), || {
        translate_rendered(&asm, ARM64_DECLS, Arch::Arm64)
    });
}

/// A Go declarations file: its build constraint and target claims, the body-less
/// functions, named types, type checks, ABI0 layout and register classification.
pub fn go_decls(data: &[u8]) {
    let file = SourceFile::new("fuzz_amd64.go", text(data));
    let out = Path::new("fuzz_amd64.s");
    let _ = c2goasm_rs::target::name_claims(&[
        ("declaration file", Path::new("fuzz_amd64.go")),
        ("output", out),
    ]);
    let _ = c2goasm_rs::abi::build_constraint::file_constraint(&file.text);
    for arch in [Arch::Amd64, Arch::Arm64] {
        if let Err(e) = c2goasm_rs::target::output_constraint(&file, Some(out), arch) {
            let _ = e.to_string();
        }
    }
    let mut funcs = match abi::parse_go_decls(&file) {
        Ok(f) => f,
        Err(diags) => {
            for d in diags {
                let _ = d.to_string();
            }
            return;
        }
    };
    // The file also stands as another file of its package.
    let other = SourceFile::new("types.go", file.text.to_string());
    abi::named_types::resolve(&mut funcs, &file, &[other]);
    for f in &funcs {
        let _ = f.signature();
        let _ = f.c_symbol();
        if abi::check_types(f).is_err() {
            continue;
        }
        let layout = abi::layout(f);
        let _ = abi::classify_sysv_args(&layout.args);
        let _ = abi::classify_aapcs_args(&layout.args);
        if let Some(r) = layout.results.first() {
            let _ = abi::classify_sysv_result(r);
        }
    }
}

/// An assembler expression, and the same text as an x86 operand.
///
/// Checked besides not panicking: printing a parsed expression and parsing it again gives
/// an expression with the same value and symbols.
pub fn expr(data: &[u8]) {
    use c2goasm_rs::parse::expr_parser::parse_expr;
    let t = text(data);
    if let Some(e) = parse_expr(&t) {
        let value = e.eval_const();
        let symbols: Vec<String> = e.symbols().iter().map(|s| s.to_string()).collect();
        let _ = e.as_symbol_ref();
        let _ = e.eval(&|s| Some(s.len() as i128));
        let printed = e.to_string();
        let again = parse_expr(&printed)
            .unwrap_or_else(|| panic!("`{t}` printed as `{printed}`, which does not parse"));
        assert_eq!(again.eval_const(), value, "`{t}` printed as `{printed}`");
        let again_symbols: Vec<String> = again.symbols().iter().map(|s| s.to_string()).collect();
        assert_eq!(again_symbols, symbols, "`{t}` printed as `{printed}`");
    }
    let _ = c2goasm_rs::parse::x86::operand::parse_operand(&t);
}

/// clang's JSON AST of a main file `k.c`: the pruning reader, the prototypes of exported
/// functions, their merge across two variants and the Go declarations written for them,
/// which must read back.
pub fn prototype(data: &[u8]) {
    use c2goasm_rs::package::{ast, prototype};
    let Ok(nodes) = ast::read(data, "k.c") else {
        return;
    };
    for char_signed in [true, false] {
        let _ = prototype::exported_functions(&nodes, "k.c", char_signed);
    }
    let Ok(functions) = prototype::exported_functions(&nodes, "k.c", true) else {
        return;
    };
    use c2goasm_rs::Variant;
    use c2goasm_rs::emit::package::{VariantInfo, declarations};
    use c2goasm_rs::package::exports::{Definition, merge};
    let variants = [Variant::Avx2, Variant::Neon];
    let defs = variants
        .iter()
        .flat_map(|v| {
            functions.iter().map(|f| Definition {
                variant: *v,
                file: Path::new("k.c"),
                function: f.clone(),
            })
        })
        .collect();
    let merged = match merge(defs) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let exported: Vec<_> = merged.iter().map(|f| f.exported.clone()).collect();
    let infos: Vec<VariantInfo> = variants
        .iter()
        .map(|v| VariantInfo {
            name: v.name().into(),
            go_suffix: v.go_suffix().into(),
            condition: v.go_condition().into(),
        })
        .collect();
    let go = declarations("// Code generated", "fuzz", "k", &exported, &infos);
    let file = SourceFile::new("k_amd64.go", go.clone());
    let read = abi::parse_go_decls(&file)
        .unwrap_or_else(|e| panic!("generated declarations do not read back: {e:?}\n{go}"));
    assert_eq!(
        read.len(),
        exported.len() * variants.len(),
        "generated declarations read back as other functions:\n{go}"
    );
}
