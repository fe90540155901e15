#!/usr/bin/env python3
"""Cold command-line runs of several commands, interleaved, on one input (issue #12).

    python3 scripts/cold_runs.py RUNS DIR NAME=COMMAND...

Each run starts every COMMAND once, as a fresh process in DIR (order reversed every other
run), reaps it with wait4 and records its wall time, CPU time (user, system), peak RSS
and minor page faults. Prints min / median / max per command and, for each command after
the first, its per-run ratios against the first. A COMMAND may start with VAR=value
assignments. Example (the benchmark input comes from BENCH_WRITE_INPUT=/tmp/benchin
cargo bench --bench translate):

    python3 scripts/cold_runs.py 15 /tmp/benchin \
        "ours=target/release/c2goasm-rs bench.s bench_amd64.s" \
        "clang=clang-19 -c --target=x86_64-unknown-linux-gnu -o /dev/null bench.s"

Commands that write the same output file replace each other's: what one run pays to
remove the previous output depends on how the other command wrote it (a file renamed
into place on ext4 is already being written back, one exchanged into place is not). To
compare how outputs are written, give each command its own output name, with a copy of
the declarations next to it (bench_amd64.go → other_amd64.go for other_amd64.s).

On a shared machine, run it in a session of its own at a higher priority, so that the
measured processes get a CPU rather than a share of one (as root; scheduler autogroups):

    setsid -w bash -c 'echo -10 > /proc/self/autogroup && exec nice -n -10 python3 …'
"""
import os
import shlex
import statistics
import sys
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    runs, directory = int(sys.argv[1]), sys.argv[2]
    cands = [a.split("=", 1) for a in sys.argv[3:]]
    cands = [(n, shlex.split(c)) for n, c in cands]
    res = {n: [] for n, _ in cands}
    size = None
    for r in range(runs):
        for n, argv in cands if r % 2 == 0 else cands[::-1]:
            argv, env = list(argv), dict(os.environ)
            while "=" in argv[0]:
                k, v = argv.pop(0).split("=", 1)
                env[k] = v
            prog = argv[0] if "/" not in argv[0] else os.path.abspath(argv[0])
            start = time.perf_counter()
            cwd = os.getcwd()
            os.chdir(directory)
            try:
                pid = os.posix_spawnp(prog, argv, env)
            finally:
                os.chdir(cwd)
            _, status, ru = os.wait4(pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"{n}: exit status {status}")
            res[n].append((wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, ru.ru_minflt))
    if os.path.exists(os.path.join(directory, "bench.s")):
        size = os.path.getsize(os.path.join(directory, "bench.s"))

    def mmm(v):
        v = sorted(v)
        return f"{v[0] * 1e3:.1f} / {statistics.median(v) * 1e3:.1f} / {v[-1] * 1e3:.1f}"

    print(f"{runs} interleaved runs each; min / median / max in ms")
    for n, _ in cands:
        rs = res[n]
        peak = max(x[3] for x in rs)
        times = f" ({peak * 1024 / size:.1f}x bench.s)" if size else ""
        print(
            f"{n}: wall {mmm([x[0] for x in rs])}, user {mmm([x[1] for x in rs])}, "
            f"system {mmm([x[2] for x in rs])}, peak RSS {peak / 1024:.1f} MiB{times}, "
            f"minor faults {statistics.median([x[4] for x in rs]):.0f}"
        )
    first = cands[0][0]
    for n, _ in cands[1:]:
        q = sorted(res[n][i][0] / res[first][i][0] for i in range(runs))
        print(
            f"{n} / {first}, wall, per run: min {q[0]:.2f}, median {statistics.median(q):.2f}, "
            f"max {q[-1]:.2f}"
        )


main()
