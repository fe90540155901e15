package kern

import "unsafe"

// Pure-Go versions: the dispatch fallbacks and the Go baseline of the benchmarks.

//go:noinline
func nop() {}

//go:noinline
func add3(a, b, c int64) int64 { return a + b + c }

func sampleSum(beg *int64, n int64) int64 {
	var s int64
	for _, v := range unsafe.Slice(beg, n) {
		s += v
	}
	return s
}

func sampleMax(beg *int64, n int64) int64 {
	if n == 0 {
		return 0
	}
	m := int64(-1 << 63)
	for _, v := range unsafe.Slice(beg, n) {
		if v > m {
			m = v
		}
	}
	return m
}

func sampleMin(beg *int64, n int64) int64 {
	if n == 0 {
		return 0
	}
	m := int64(1<<63 - 1)
	for _, v := range unsafe.Slice(beg, n) {
		if v < m {
			m = v
		}
	}
	return m
}

func dotF32(a, b *float32, n int64) float32 {
	var s float32
	x, y := unsafe.Slice(a, n), unsafe.Slice(b, n)
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// Go is the pure-Go baseline, exported for the report.
var Go = struct {
	Nop                             func()
	Add3                            func(a, b, c int64) int64
	SampleSum, SampleMax, SampleMin func(*int64, int64) int64
	DotF32                          func(a, b *float32, n int64) float32
}{nop, add3, sampleSum, sampleMax, sampleMin, dotF32}
