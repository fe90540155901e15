package main

import (
	"fmt"
	"runtime"
	"sort"

	"benchk/handasm"
	"benchk/kern"
	"benchk/kernrealign"
	"benchk/kernrspill"
	"benchk/kernspill"

	"golang.org/x/sys/cpu"
	"golang.org/x/sys/unix"
)

// What C code that uses a little stack costs per call (issue #12): the same C function
// built plain (no stack), with -mstackrealign, with a small spill and with both, next to
// the shape translated kernels had before (SP switched into the wrapper's Go frame) and
// hand-written Go assembly; and a 16/128-element dot product (-mstackrealign) against
// the peers' direct-call shape written by hand. Each candidate is a loop of `calls`
// calls; a round runs every candidate once, in a rotating order, each timed in CPU time
// of its locked thread (time spent waiting for a CPU on this shared machine is not
// counted); figures are medians over rounds with quartiles, differences and ratios are
// paired per round.
func stackCost(rounds, calls int) {
	type cand struct {
		name string
		run  func(n int)
	}
	var i64 int64
	var f32 float32
	a, b := make([]float32, 128), make([]float32, 128)
	for i := range a {
		a[i], b[i] = float32(i%7)*0.5, float32(i%5)*0.25
	}
	// add3 in two loops: each call's argument c (the one the spill goes through) is the
	// previous result, so the C code's own latency is on the loop's critical path; or the
	// calls are independent (only the sum of results chains them). Every loop is written
	// out: a func value would call through the ABI wrapper.
	add3 := []string{"plain", "-mstackrealign", "-mstackrealign, peers' shape", "spill", "spill, peers' shape", "-mstackrealign + spill", "-mstackrealign, SP switched (before)", "hand-written Go asm"}
	cands := []cand{
		{"chained plain", func(n int) {
			for i := 0; i < n; i++ {
				i64 = kern.Add3SSE42(1, 2, i64)
			}
		}},
		{"independent plain", func(n int) {
			for i := 0; i < n; i++ {
				i64 += kern.Add3SSE42(1, 2, 3)
			}
		}},
		{"chained -mstackrealign", func(n int) {
			for i := 0; i < n; i++ {
				i64 = kernrealign.Add3SSE42(1, 2, i64)
			}
		}},
		{"independent -mstackrealign", func(n int) {
			for i := 0; i < n; i++ {
				i64 += kernrealign.Add3SSE42(1, 2, 3)
			}
		}},
		{"chained -mstackrealign, peers' shape", func(n int) {
			for i := 0; i < n; i++ {
				i64 = handasm.Add3RealignPeer(1, 2, i64)
			}
		}},
		{"independent -mstackrealign, peers' shape", func(n int) {
			for i := 0; i < n; i++ {
				i64 += handasm.Add3RealignPeer(1, 2, 3)
			}
		}},
		{"chained spill", func(n int) {
			for i := 0; i < n; i++ {
				i64 = kernspill.Add3SSE42(1, 2, i64)
			}
		}},
		{"independent spill", func(n int) {
			for i := 0; i < n; i++ {
				i64 += kernspill.Add3SSE42(1, 2, 3)
			}
		}},
		{"chained spill, peers' shape", func(n int) {
			for i := 0; i < n; i++ {
				i64 = handasm.Add3SpillPeer(1, 2, i64)
			}
		}},
		{"independent spill, peers' shape", func(n int) {
			for i := 0; i < n; i++ {
				i64 += handasm.Add3SpillPeer(1, 2, 3)
			}
		}},
		{"chained -mstackrealign + spill", func(n int) {
			for i := 0; i < n; i++ {
				i64 = kernrspill.Add3SSE42(1, 2, i64)
			}
		}},
		{"independent -mstackrealign + spill", func(n int) {
			for i := 0; i < n; i++ {
				i64 += kernrspill.Add3SSE42(1, 2, 3)
			}
		}},
		{"chained -mstackrealign, SP switched (before)", func(n int) {
			for i := 0; i < n; i++ {
				i64 = handasm.Add3Switched(1, 2, i64)
			}
		}},
		{"independent -mstackrealign, SP switched (before)", func(n int) {
			for i := 0; i < n; i++ {
				i64 += handasm.Add3Switched(1, 2, 3)
			}
		}},
		{"chained hand-written Go asm", func(n int) {
			for i := 0; i < n; i++ {
				i64 = handasm.Add3(1, 2, i64)
			}
		}},
		{"independent hand-written Go asm", func(n int) {
			for i := 0; i < n; i++ {
				i64 += handasm.Add3(1, 2, 3)
			}
		}},
	}
	avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	if avx2 {
		for _, size := range []int64{16, 128} {
			size := size
			cands = append(cands,
				cand{fmt.Sprintf("dot_f32 %d plain", size), func(n int) {
					for i := 0; i < n; i++ {
						f32 += kern.DotF32AVX2(&a[0], &b[0], size)
					}
				}},
				cand{fmt.Sprintf("dot_f32 %d -mstackrealign", size), func(n int) {
					for i := 0; i < n; i++ {
						f32 += kernrealign.DotF32AVX2(&a[0], &b[0], size)
					}
				}},
				cand{fmt.Sprintf("dot_f32 %d peers' shape", size), func(n int) {
					for i := 0; i < n; i++ {
						f32 += handasm.DotF32Peer(&a[0], &b[0], size)
					}
				}},
			)
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpuTime := func() int64 {
		var ts unix.Timespec
		if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
			panic(err)
		}
		return ts.Nano()
	}
	ns := map[string][]float64{}
	for r := 0; r < rounds; r++ {
		for k := range cands {
			c := cands[(k+r)%len(cands)]
			start := cpuTime()
			c.run(calls)
			ns[c.name] = append(ns[c.name], float64(cpuTime()-start)/float64(calls))
		}
	}
	if i64 == 42 && f32 == 42 {
		fmt.Println()
	}
	paired := func(x, y string, f func(a, b float64) float64) []float64 {
		out := make([]float64, len(ns[x]))
		for i := range out {
			out[i] = f(ns[x][i], ns[y][i])
		}
		return out
	}
	minus := func(a, b float64) float64 { return a - b }
	over := func(a, b float64) float64 { return a / b }
	fmt.Printf("Stack cost: %d rounds of %d calls, thread CPU time; ns per call, median [quartiles]; differences paired per round\n\n", rounds, calls)
	fmt.Println("| add3(a, b, c) built | chained: ns per call | − plain | independent: ns per call | − plain |")
	fmt.Println("|---|---|---|---|---|")
	for _, v := range add3 {
		c, i := "chained "+v, "independent "+v
		fmt.Printf("| %s | %s | %s | %s | %s |\n", v, mq(ns[c], "%.2f"), mq(paired(c, "chained plain", minus), "%+.2f"),
			mq(ns[i], "%.2f"), mq(paired(i, "independent plain", minus), "%+.2f"))
	}
	fmt.Println()
	if !avx2 {
		fmt.Println("(no AVX2+FMA: dot_f32 skipped)")
		return
	}
	fmt.Println("| dot_f32, avx2 | plain | -mstackrealign | peers' shape (hand-written) | -mstackrealign / peers | plain / peers |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, size := range []int{16, 128} {
		p := fmt.Sprintf("dot_f32 %d plain", size)
		r := fmt.Sprintf("dot_f32 %d -mstackrealign", size)
		q := fmt.Sprintf("dot_f32 %d peers' shape", size)
		fmt.Printf("| n = %d | %s | %s | %s | %s | %s |\n", size, mq(ns[p], "%.2f"), mq(ns[r], "%.2f"), mq(ns[q], "%.2f"),
			mq(paired(r, q, over), "%.3f"), mq(paired(p, q, over), "%.3f"))
	}
	fmt.Println()
}

// mq formats the median and quartiles of v.
func mq(v []float64, format string) string {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	q := func(k int) float64 { return s[(len(s)-1)*k/4] }
	return fmt.Sprintf(format+" ["+format+", "+format+"]", q(2), q(1), q(3))
}
