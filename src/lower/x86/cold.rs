//! GCC's hot/cold splitting (`-freorder-blocks-and-partition`, on by default at -O2 on
//! x86-64) moves unlikely paths of `f` into a function `f.cold` in `.text.unlikely` that
//! is entered and left by jumps to labels of `f`. Go cannot jump between TEXT symbols
//! except through their entries, so the cold part is appended to its hot function: one
//! TEXT holds both, and every label resolves inside it.

use iced_x86::Mnemonic as M;

use crate::lower::program::{BodyItem, Program, SymbolDef};
use crate::parse::Located;
use crate::parse::x86::Instruction;

/// Whether control never continues past the body's last instruction.
fn ends_in_transfer(body: &[Located<BodyItem<Instruction>>]) -> bool {
    body.iter()
        .rev()
        .find_map(|it| match &it.item {
            BodyItem::Instruction(i) => Some(matches!(i.mnemonic.base, M::Ret | M::Jmp | M::Ud2)),
            _ => None,
        })
        .unwrap_or(false)
}

/// Appends every `f.cold` (and `f.cold.N`) to `f` when both end in a jump, return or trap,
/// so neither falls into the other.
pub fn merge_cold_parts(program: &mut Program<Instruction>) {
    for cold in 0..program.functions.len() {
        let name = program.functions[cold].name.clone();
        let Some(hot_name) = name.split(".cold").next().filter(|h| *h != name) else {
            continue;
        };
        let Some(SymbolDef::Function(hot)) = program.symbols.get(hot_name).copied() else {
            continue;
        };
        if hot == cold
            || !ends_in_transfer(&program.functions[hot].body)
            || !ends_in_transfer(&program.functions[cold].body)
        {
            continue;
        }
        let span = program.functions[cold].span;
        let body = std::mem::take(&mut program.functions[cold].body);
        for it in &body {
            if let BodyItem::Label(l) = &it.item {
                program.symbols.insert(l.clone(), SymbolDef::CodeLabel(hot));
            }
        }
        program
            .symbols
            .insert(name.clone(), SymbolDef::CodeLabel(hot));
        let hot_body = &mut program.functions[hot].body;
        hot_body.push(Located {
            item: BodyItem::Label(name),
            span,
        });
        hot_body.extend(body);
    }
}
