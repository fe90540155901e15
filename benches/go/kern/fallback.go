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

// jsonTokens is states.c's tokenizer in Go (a switch-based state machine the Go compiler
// compiles with its own jump tables).
func jsonTokens(p *uint8, n int64) int64 {
	const (
		value = iota
		str
		escape
		number
		fraction
		literal
	)
	state := value
	var tokens, depth, num int64
	var h uint64
	for i, c := range unsafe.Slice(p, n) {
		if state == number {
			if c >= '0' && c <= '9' {
				num = num*10 + int64(c-'0')
				continue
			}
			if c == '.' || c == 'e' || c == 'E' {
				state = fraction
				continue
			}
			h += uint64(num)
			state = value
		} else if state == fraction {
			if c >= '0' && c <= '9' || c == '+' || c == '-' || c == 'e' || c == 'E' {
				continue
			}
			h += uint64(num)
			state = value
		} else if state == literal {
			if c-'a' < 26 {
				continue
			}
			state = value
		}
		switch state {
		case value:
			switch c {
			case ' ', '\t', '\n', '\r':
			case '{', '[':
				depth++
				tokens++
			case '}', ']':
				depth--
				tokens++
			case ':', ',':
				tokens++
			case '"':
				state = str
				tokens++
				h = h*31 + 1
			case '-':
				state = number
				tokens++
				num = 0
			case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				state = number
				tokens++
				num = int64(c - '0')
			case 't', 'f', 'n':
				state = literal
				tokens++
				h += uint64(c)
			default:
				return -1 - int64(i)
			}
		case str:
			switch c {
			case '"':
				state = value
			case '\\':
				state = escape
			default:
				h = h*31 + uint64(c)
			}
		case escape:
			state = str
			h ^= uint64(c)
		}
	}
	return int64(h ^ uint64(tokens)<<32 ^ uint64(depth))
}

// Go is the pure-Go baseline, exported for the report.
var Go = struct {
	Nop                             func()
	Add3                            func(a, b, c int64) int64
	SampleSum, SampleMax, SampleMin func(*int64, int64) int64
	DotF32                          func(a, b *float32, n int64) float32
	JSONTokens                      func(p *uint8, n int64) int64
}{nop, add3, sampleSum, sampleMax, sampleMin, dotF32, jsonTokens}
