#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/seeds/TARGET/, not committed) from the
repository's fixtures, and the fixed declaration files the translation targets use
(fuzz/decls/fuzz_{amd64,arm64}.go, committed).

Fixture functions carry their variant in their name (`sample_sum_clang_o2_avx2`); the
seeds drop it, so one declaration file binds every seed. Needs clang-19 (AArch64 objects,
clang ASTs). Run from anywhere: `python3 fuzz/make_seeds.py`.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")
SEEDS = os.path.join(FUZZ, "seeds")
# Same as src/lower/arm64/assembler.rs.
MARCH = "armv8.6-a+crypto+sha3+sm4+fp16+fp16fml+dotprod+i8mm+bf16+rcpc+lse"


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def variants(set_dir):
    path = os.path.join(set_dir, "variants.txt")
    if not os.path.exists(path):
        return []
    return [l.split()[0] for l in read(path).splitlines() if l.split()]


FUNC = re.compile(r"^func\s+([A-Za-z_0-9]+)\s*\(", re.M)


class Decls:
    def __init__(self):
        self.names = {}

    def add_template(self, text):
        text = text.replace("_{V}", "")
        for block in re.split(r"\n(?=//go:noescape|func )", text):
            for line in block.splitlines():
                m = FUNC.match(line)
                if m and m.group(1) not in self.names:
                    self.names[m.group(1)] = line.strip()

    def add_generic(self, asm):
        for m in re.finditer(r"^\s*\.globa?l\s+([A-Za-z_][A-Za-z_0-9]*)", asm, re.M):
            name = m.group(1)
            if name not in self.names and "_" + name not in self.names:
                self.names[name] = f"func {name}(a, b, c, d int64) int64"

    def write(self, path, arch):
        body = "\n\n".join(
            f"//go:noescape\n{self.names[n]}" for n in sorted(self.names)
        )
        with open(path, "w") as f:
            f.write(
                f"// Declarations for the {arch} fuzz targets: written by make_seeds.py.\n\n"
                "package fuzz\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n\n"
                + body
                + "\n"
            )


def fixture_sets(base):
    for name in sorted(os.listdir(base)):
        d = os.path.join(base, name)
        if os.path.isdir(d):
            yield d


def loose_assembly(dirs):
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in sorted(files):
                if f.endswith(".s") and not f.endswith(("_amd64.s", "_arm64.s")):
                    yield os.path.join(root, f)


def assemble_arm64(text):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "o.o")
        r = subprocess.run(
            ["clang-19", "-c", "--target=aarch64-linux-gnu", f"-march={MARCH}",
             "-x", "assembler", "-", "-o", out],
            input=text.encode(), capture_output=True)
        if r.returncode != 0:
            return None
        with open(out, "rb") as f:
            return f.read()


def x86_and_arm64():
    for arch, base, extra, target in [
        ("amd64", "fixtures/x86", ["fixtures/errors", "examples"], "x86_translate"),
        ("arm64", "fixtures/arm64", ["fixtures/errors/arm64"], "arm64_front"),
    ]:
        decls = Decls()
        texts = []
        for d in fixture_sets(os.path.join(ROOT, base)):
            vs = variants(d)
            if os.path.exists(os.path.join(d, "decls.go.in")):
                decls.add_template(read(os.path.join(d, "decls.go.in")))
            for v in vs:
                p = os.path.join(d, v + ".s")
                if os.path.exists(p):
                    texts.append(read(p).replace("_" + v, ""))
        for p in loose_assembly([os.path.join(ROOT, e) for e in extra]):
            if arch == "amd64" and "/arm64" in p:
                continue
            texts.append(read(p))
        for t in texts:
            decls.add_generic(t)
            put(target, t)
            if arch == "arm64":
                obj = assemble_arm64(t)
                if obj is not None:
                    put("arm64_object", t.encode() + b"\0" + obj)
        os.makedirs(os.path.join(FUZZ, "decls"), exist_ok=True)
        decls.write(os.path.join(FUZZ, "decls", f"fuzz_{arch}.go"), arch)
        for t in texts:
            for e in expressions(t):
                put("expr", e)


EXPR_SEEN = set()


def expressions(asm):
    """Operand and data expressions as the fixtures write them (a few of each shape)."""
    out = []
    for m in re.finditer(r"\[([^\]\n]+)\]|\.(?:quad|long|short|byte|size\s+\S+,)\s+([^\n#]+)", asm):
        e = (m.group(1) or m.group(2)).strip()
        shape = re.sub(r"[0-9]+", "0", re.sub(r"[A-Za-z_.$][A-Za-z_.$0-9@]*", "s", e))
        if shape not in EXPR_SEEN:
            EXPR_SEEN.add(shape)
            out.append(e)
    return out


EXTRA_EXPRESSIONS = [
    "1 + 2 * 3", "(1 + 2) * 3", "1 << 4 | 1", "~0 & 0xff", "-(-8)", "0x1F", "0b101",
    "017", "'a'", "'\\n'", "18446744073709551615", "-9223372036854775808",
    ".LCPI0_0+16", ".Lfunc_end0-sample_sum", "1f - 0f", "2b", "memset@PLT",
    "\"quoted name\"+4", "a ^ b | c & d", "8 / 2 >> 1", "qword ptr [rdi + 8*rax + 32]",
    "zmmword ptr [rsp + 64] {k1}", "dword ptr [rax]{1to16}", "{rn-sae}", "{sae}",
    "ymmword ptr [rip + .LCPI0_0+16]", "QWORD PTR .LC0[rip]", "DWORD PTR table[0+rax*4]",
    "BYTE PTR es:[rdi]", "dword ptr fs:x@tpoff", "OFFSET FLAT:.LC0", "st(1)", "zmm0 {k1} {z}",
]


def go_files():
    for d in ["fixtures", "examples", "tests/support"]:
        for root, _, files in os.walk(os.path.join(ROOT, d)):
            for f in sorted(files):
                if f.endswith((".go", ".go.in", ".go.txt")):
                    yield os.path.join(root, f)


def go_decls():
    for p in go_files():
        put("go_decls", read(p).replace("_{V}", ""))
    for arch in ["amd64", "arm64"]:
        put("go_decls", read(os.path.join(FUZZ, "decls", f"fuzz_{arch}.go")))


def prune_ast(doc, main):
    """The nodes `ast::read` keeps (typedefs anywhere, the main file's declarations), with
    each location's inherited file and line written out; header typedefs only when the
    kept declarations name them."""
    cur = {"file": "", "line": 0}

    def walk(v):
        if isinstance(v, dict):
            for k in v:
                walk(v[k])
            if "offset" in v or "col" in v:
                if "file" in v:
                    cur["file"] = v["file"]
                if "line" in v:
                    cur["line"] = v["line"]
                v.setdefault("file", cur["file"])
                v.setdefault("line", cur["line"])
        elif isinstance(v, list):
            for x in v:
                walk(x)

    def decl_file(n):
        loc = n.get("loc", {})
        return loc.get("expansionLoc", {}).get("file") or loc.get("file")

    mains, typedefs = [], []
    for n in doc.get("inner", []):
        # Document order: locations of skipped nodes still move the cursor.
        walk(n)
        if decl_file(n) == main:
            mains.append(n)
        elif n.get("kind") in ("TypedefDecl", "TypeAliasDecl"):
            typedefs.append(n)
    # Function bodies only matter for being there: keep their statement, not its inside.
    def drop_bodies(n):
        if isinstance(n, dict):
            if n.get("kind") == "CompoundStmt":
                n.pop("inner", None)
            for v in n.values():
                drop_bodies(v)
        elif isinstance(n, list):
            for x in n:
                drop_bodies(x)

    drop_bodies(mains)
    used = json.dumps(mains)
    kept = [t for t in typedefs if t.get("name") and re.search(
        r"\b" + re.escape(t["name"]) + r"\b", used)]
    return {"kind": "TranslationUnitDecl", "inner": kept + mains}


def prototype():
    pkg = os.path.join(ROOT, "fixtures/package")
    sources = [os.path.join(pkg, f) for f in sorted(os.listdir(pkg)) if f.endswith((".c", ".cpp"))]
    sources += [os.path.join(ROOT, "fixtures/dropin", d, "c", f)
                for d in sorted(os.listdir(os.path.join(ROOT, "fixtures/dropin")))
                for f in sorted(os.listdir(os.path.join(ROOT, "fixtures/dropin", d, "c")))]
    for src in sources:
        cxx = src.endswith(".cpp")
        for target, flags in [("x86_64-unknown-linux-gnu", ["-mavx2", "-mfma"]),
                              ("aarch64-linux-gnu", [])]:
            with tempfile.TemporaryDirectory() as tmp:
                shutil.copy(src, os.path.join(tmp, "k.c"))
                cmd = ["clang-19", "-fsyntax-only", "-Xclang", "-ast-dump=json",
                       f"--target={target}", "-nostdlibinc", "-ffreestanding",
                       "-I", os.path.dirname(src)] + flags
                if cxx:
                    cmd += ["-x", "c++", "-fno-rtti"]
                r = subprocess.run(cmd + ["k.c"], cwd=tmp, capture_output=True)
                if r.returncode != 0 or not r.stdout:
                    continue
                pruned = prune_ast(json.loads(r.stdout), "k.c")
                put("prototype", json.dumps(pruned, separators=(",", ":")))


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    x86_and_arm64()
    for e in EXTRA_EXPRESSIONS:
        put("expr", e)
    go_decls()
    prototype()
    for t in sorted(os.listdir(SEEDS)):
        n = len(os.listdir(os.path.join(SEEDS, t)))
        print(f"{t}: {n} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
