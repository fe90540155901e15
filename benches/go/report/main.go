// Command report runs the call-overhead and kernel-throughput benchmarks side by side and
// prints Markdown tables with medians and ratios (BENCHMARKS.md). -short runs each once.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"benchk/handasm"
	"benchk/kern"
	"benchk/native"

	"golang.org/x/sys/cpu"
)

var (
	short   = flag.Bool("short", false, "run every benchmark once (keeps them from rotting)")
	runs    = flag.Int("runs", 5, "runs per benchmark; the median is reported")
	kernels = flag.Bool("kernels", true, "also run the kernel-throughput benchmarks")
	nativeC = flag.String("native-c", "", "output of the C harness (benches/go/harness): native ns/op measured from C")
	stack   = flag.Bool("stack", true, "also measure what C code that uses the stack costs per call (stack.go)")
	rounds  = flag.Int("rounds", 201, "rounds of the stack-cost measurement")
	calls   = flag.Int("calls", 200000, "calls per candidate and round in the stack-cost measurement")
	harness = flag.String("harness", "", "the C harness binary: run between the translated state machine's runs (interleaved)")
	tokens  = flag.String("tokens", "", "JSON text for the jump-table state machine (benches/go/c/tokens.json)")
	machine = flag.Bool("state-machine", true, "run the jump-table state machine benchmark (needs -harness and -tokens)")
	smRuns  = flag.Int("sm-runs", 21, "interleaved runs of the state machine benchmark (100 ms each side and size)")
)

// readHarness parses `kernel variant n ns` lines; "add3 - 0" is the C call floor.
func readHarness(path string) map[string]float64 {
	out := map[string]float64{}
	if path == "" {
		return out
	}
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		var k, v string
		var n int
		var ns float64
		if c, _ := fmt.Sscanf(line, "%s %s %d %f", &k, &v, &n, &ns); c == 4 {
			out[fmt.Sprintf("%s %s %d", k, v, n)] = ns
		}
	}
	return out
}

var sink int64
var fsink float32

// medians measures the benchmarks round-robin (a, b, …, a, b, …) over the configured runs
// and returns each one's median ns/op: measured alternately, they see the same machine
// state, so drift between processes or over time (a shared VM's neighbours, clock
// changes) cancels out of their ratios. A benchmark that never ran reports 0.
func medians(fs ...func(b *testing.B)) []float64 {
	n := *runs
	if *short {
		n = 1
	}
	samples := make([][]float64, len(fs))
	for i := 0; i < n; i++ {
		for k, f := range fs {
			if r := testing.Benchmark(f); r.N > 0 {
				samples[k] = append(samples[k], float64(r.T.Nanoseconds())/float64(r.N))
			}
		}
	}
	out := make([]float64, len(fs))
	for k, v := range samples {
		if len(v) > 0 {
			sort.Float64s(v)
			out[k] = v[len(v)/2]
		}
	}
	return out
}

// median ns/op of f over the configured runs.
func median(f func(b *testing.B)) float64 { return medians(f)[0] }

// pairedMedians measures a and b alternately and returns each median ns/op.
func pairedMedians(a, b func(b *testing.B)) (float64, float64) {
	m := medians(a, b)
	return m[0], m[1]
}

func loop(call func()) func(b *testing.B) {
	return func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			call()
		}
	}
}

type variant struct {
	name       string
	ok         bool
	translated native.Kernels
}

func main() {
	testing.Init()
	flag.Parse()
	bt := "300ms"
	if *short {
		bt = "1x"
	}
	if err := flag.Set("test.benchtime", bt); err != nil {
		panic(err)
	}
	fmt.Printf("variant chosen by dispatch: %s\n\n", kern.SelectedVariant())

	// Call overhead.
	cgoNop := median(loop(native.Nop))
	rows := []struct {
		name                       string
		translated, hand, cgo, go_ func()
	}{
		{"nop()", kern.NopSSE42, handasm.Empty, native.Nop, kern.Go.Nop},
		{"add3(a, b, c)", func() { sink += kern.Add3SSE42(1, 2, sink) }, func() { sink += handasm.Add3(1, 2, sink) },
			func() { sink += native.Add3(1, 2, sink) }, func() { sink += kern.Go.Add3(1, 2, sink) }},
	}
	fmt.Println("| call | translated | hand-written Go asm | cgo | Go (noinline) | translated − hand asm | cgo / translated |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, r := range rows {
		t, h, c, g := median(loop(r.translated)), median(loop(r.hand)), median(loop(r.cgo)), median(loop(r.go_))
		fmt.Printf("| %s | %.2f ns | %.2f ns | %.2f ns | %.2f ns | %.2f ns | %.1f× |\n", r.name, t, h, c, g, t-h, c/t)
	}
	fmt.Println()

	if *stack {
		if *short {
			stackCost(1, 1000)
		} else {
			stackCost(*rounds, *calls)
		}
	}
	if *machine && *harness != "" && *tokens != "" {
		stateMachine()
	}
	if !*kernels {
		return
	}
	avx512 := cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ
	variants := []variant{
		{"sse4.2", cpu.X86.HasSSE42, native.Kernels{SampleSum: kern.SampleSumSSE42, SampleMax: kern.SampleMaxSSE42, SampleMin: kern.SampleMinSSE42, DotF32: kern.DotF32SSE42}},
		{"avx2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, native.Kernels{SampleSum: kern.SampleSumAVX2, SampleMax: kern.SampleMaxAVX2, SampleMin: kern.SampleMinAVX2, DotF32: kern.DotF32AVX2}},
		{"avx512", avx512, native.Kernels{SampleSum: kern.SampleSumAVX512, SampleMax: kern.SampleMaxAVX512, SampleMin: kern.SampleMinAVX512, DotF32: kern.DotF32AVX512}},
	}
	sizes := []int{16, 1 << 10, 1 << 16, 1 << 20}
	ints := make([]int64, sizes[len(sizes)-1])
	fa := make([]float32, sizes[len(sizes)-1])
	fb := make([]float32, sizes[len(sizes)-1])
	for i := range ints {
		ints[i] = int64(i*7919) ^ int64(i>>3)
		fa[i], fb[i] = float32(i%97)*0.5, float32(i%89)*0.25
	}
	harness := readHarness(*nativeC)
	cFloor, haveC := harness["add3 - 0"]
	goFloor, cgoFloor := pairedMedians(
		loop(func() { sink += kern.Add3SSE42(1, 2, sink) }),
		loop(func() { sink += native.Add3(1, 2, sink) }))
	if haveC {
		fmt.Printf("native C = the same objects called from a C loop (benches/go/harness); call floors: Go → translated add3 %.2f ns, C → add3 %.2f ns, Go → cgo add3 %.2f ns\n", goFloor, cFloor, cgoFloor)
		fmt.Println("same process = translated and the same objects through cgo, measured alternately in this process, call floors excluded")
		fmt.Println()
		fmt.Println("| kernel | variant | n | translated | native C | pure Go | translated / native | same, call floors excluded | same process | Go / translated |")
	} else {
		fmt.Printf("native = cgo − %.2f ns (the cgo call overhead, measured above as cgo nop)\n\n", cgoNop)
		fmt.Println("| kernel | variant | n | translated | native C | pure Go | translated / native | | same process | Go / translated |")
	}
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, k := range []string{"sample_sum", "sample_max", "sample_min", "dot_f32"} {
		for _, v := range variants {
			if !v.ok {
				continue
			}
			nat := native.ByVariant[v.name]
			for _, n := range sizes {
				n64 := int64(n)
				var t, g func()
				switch k {
				case "sample_sum":
					t = func() { sink += v.translated.SampleSum(&ints[0], n64) }
					g = func() { sink += kern.Go.SampleSum(&ints[0], n64) }
				case "sample_max":
					t = func() { sink += v.translated.SampleMax(&ints[0], n64) }
					g = func() { sink += kern.Go.SampleMax(&ints[0], n64) }
				case "sample_min":
					t = func() { sink += v.translated.SampleMin(&ints[0], n64) }
					g = func() { sink += kern.Go.SampleMin(&ints[0], n64) }
				default:
					t = func() { fsink += v.translated.DotF32(&fa[0], &fb[0], n64) }
					g = func() { fsink += kern.Go.DotF32(&fa[0], &fb[0], n64) }
				}
				var c func()
				switch k {
				case "sample_sum":
					c = func() { sink += nat.SampleSum(&ints[0], n64) }
				case "sample_max":
					c = func() { sink += nat.SampleMax(&ints[0], n64) }
				case "sample_min":
					c = func() { sink += nat.SampleMin(&ints[0], n64) }
				default:
					c = func() { fsink += nat.DotF32(&fa[0], &fb[0], n64) }
				}
				tt, gg := median(loop(t)), median(loop(g))
				pt, pc := pairedMedians(loop(t), loop(c))
				same := "–"
				if pc-cgoFloor > 0 {
					same = fmt.Sprintf("%.3f", (pt-goFloor)/(pc-cgoFloor))
				}
				nn, body := 0.0, ""
				if h, ok := harness[fmt.Sprintf("%s %s %d", k, v.name, n)]; ok {
					nn = h
					body = fmt.Sprintf("%.3f", (tt-goFloor)/(h-cFloor))
				} else {
					nn = pc - cgoNop
				}
				if nn <= 0 {
					nn = tt
				}
				fmt.Printf("| %s | %s | %d | %.1f ns | %.1f ns | %.1f ns | %.3f | %s | %s | %.1f× |\n", k, v.name, n, tt, nn, gg, tt/nn, body, same, gg/tt)
			}
		}
	}
	if sink == 42 && fsink == 42 {
		os.Exit(3)
	}
}

// spread formats the median and range of samples.
func spread(v []float64) (float64, string) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := s[len(s)/2]
	return m, fmt.Sprintf("%.1f ns (%.1f–%.1f)", m, s[0], s[len(s)-1])
}

// stateMachine measures states.c's jump-table tokenizer translated (sse4.2 build) and the
// same object run by the C harness, alternating run by run (Go benchmark, then one harness
// process), so drift of a shared machine affects both alike; plus the same object through
// cgo in this process and the pure-Go tokenizer.
func stateMachine() {
	text, err := os.ReadFile(*tokens)
	if err != nil || len(text) == 0 {
		panic(fmt.Sprintf("reading %s: %v", *tokens, err))
	}
	sizes := []int{1 << 10, 1 << 16, 1 << 20}
	buf := make([]byte, sizes[len(sizes)-1])
	for i := range buf {
		buf[i] = text[i%len(text)]
	}
	for _, n := range sizes {
		t := kern.JsonTokensSSE42(&buf[0], int64(n))
		if g, c := kern.Go.JSONTokens(&buf[0], int64(n)), native.JSONTokens(&buf[0], int64(n)); t != g || t != c {
			panic(fmt.Sprintf("json_tokens(n=%d): translated %d, Go %d, C %d", n, t, g, c))
		}
	}
	// Short runs, many of them, alternating: on a shared machine the load changes within
	// seconds, so each translated sample has a native sample taken right next to it.
	runsN := *smRuns
	budget := "1e8"
	if *short {
		runsN, budget = 1, "1e5"
	} else {
		defer flag.Set("test.benchtime", flag.Lookup("test.benchtime").Value.String())
		if err := flag.Set("test.benchtime", "100ms"); err != nil {
			panic(err)
		}
	}
	trans := make(map[int][]float64)
	natC := make(map[int][]float64)
	cgo := make(map[int][]float64)
	for r := 0; r < runsN; r++ {
		for _, n := range sizes {
			n64 := int64(n)
			res := testing.Benchmark(loop(func() { sink += kern.JsonTokensSSE42(&buf[0], n64) }))
			trans[n] = append(trans[n], float64(res.T.Nanoseconds())/float64(res.N))
			res = testing.Benchmark(loop(func() { sink += native.JSONTokens(&buf[0], n64) }))
			cgo[n] = append(cgo[n], float64(res.T.Nanoseconds())/float64(res.N))
		}
		cmd := exec.Command(*harness)
		cmd.Env = append(os.Environ(), "ONLY=json_tokens", "RUNS=1", "BENCH_NS="+budget, "TOKENS_JSON="+*tokens)
		out, err := cmd.Output()
		if err != nil {
			panic(fmt.Sprintf("running the C harness: %v", err))
		}
		for n, ns := range readHarnessText(string(out)) {
			natC[n] = append(natC[n], ns)
		}
	}
	fmt.Printf("jump-table state machine (benches/go/c/states.c, json_tokens, sse4.2 build) on %s repeated; %d interleaved runs, median (min–max)\n\n", *tokens, runsN)
	fmt.Println("| n | translated | native C (harness) | translated / native C: medians | mins | per-run ratios, median (min–max) | same object via cgo, same process | translated / cgo, per-run median | pure Go |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	for _, n := range sizes {
		if len(natC[n]) == 0 {
			continue
		}
		tm, ts := spread(trans[n])
		cm, cs := spread(natC[n])
		_, gs := spread(cgo[n])
		var ratios []float64
		for i := range trans[n] {
			if i < len(natC[n]) {
				ratios = append(ratios, trans[n][i]/natC[n][i])
			}
		}
		sort.Float64s(ratios)
		n64 := int64(n)
		goNs := median(loop(func() { sink += kern.Go.JSONTokens(&buf[0], n64) }))
		tmin, cmin := minOf(trans[n]), minOf(natC[n])
		// Translated and cgo were measured back to back for each size and run.
		var paired []float64
		for i := range trans[n] {
			paired = append(paired, trans[n][i]/cgo[n][i])
		}
		sort.Float64s(paired)
		fmt.Printf("| %d | %s | %s | **%.3f** | %.3f | %.3f (%.3f–%.3f) | %s | %.3f | %.1f ns |\n", n, ts, cs, tm/cm, tmin/cmin,
			ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1], gs, paired[len(paired)/2], goNs)
	}
	fmt.Println()
}

// readHarnessText parses the harness's `json_tokens sse4.2 n ns` lines: n → ns.
func readHarnessText(out string) map[int]float64 {
	res := map[int]float64{}
	for _, line := range strings.Split(out, "\n") {
		var k, v string
		var n int
		var ns float64
		if c, _ := fmt.Sscanf(line, "%s %s %d %f", &k, &v, &n, &ns); c == 4 && k == "json_tokens" {
			res[n] = ns
		}
	}
	return res
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		if x < m {
			m = x
		}
	}
	return m
}
