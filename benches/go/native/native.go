// Package native calls the same clang-compiled kernels natively through cgo (objects
// linked as .syso, symbols prefixed native_ and suffixed by variant), for the baseline.
package native

/*
#include <stdint.h>
void native_nop(void);
int64_t native_add3(int64_t a, int64_t b, int64_t c);
#define KERNELS(v) \
	int64_t native_sample_sum_##v(const int64_t *p, int64_t n); \
	int64_t native_sample_max_##v(const int64_t *p, int64_t n); \
	int64_t native_sample_min_##v(const int64_t *p, int64_t n); \
	float native_dot_f32_##v(const float *a, const float *b, int64_t n);
KERNELS(sse42)
KERNELS(avx2)
KERNELS(avx512)
int64_t native_json_tokens_sse42(const uint8_t *p, int64_t n);
*/
import "C"

import "unsafe"

// Nop is the empty C function: the cost of a cgo call.
func Nop() { C.native_nop() }

// JSONTokens is states.c's jump-table state machine (the sse4.2 build) in C.
func JSONTokens(p *uint8, n int64) int64 {
	return int64(C.native_json_tokens_sse42((*C.uint8_t)(unsafe.Pointer(p)), C.int64_t(n)))
}

// Add3 returns a+b+c in C.
func Add3(a, b, c int64) int64 {
	return int64(C.native_add3(C.int64_t(a), C.int64_t(b), C.int64_t(c)))
}

type Kernels struct {
	SampleSum, SampleMax, SampleMin func(*int64, int64) int64
	DotF32                          func(a, b *float32, n int64) float32
}

func i64(p *int64) *C.int64_t { return (*C.int64_t)(unsafe.Pointer(p)) }
func f32(p *float32) *C.float { return (*C.float)(unsafe.Pointer(p)) }

// ByVariant: the native kernels of each instruction-set build.
var ByVariant = map[string]Kernels{
	"sse4.2": {
		SampleSum: func(p *int64, n int64) int64 { return int64(C.native_sample_sum_sse42(i64(p), C.int64_t(n))) },
		SampleMax: func(p *int64, n int64) int64 { return int64(C.native_sample_max_sse42(i64(p), C.int64_t(n))) },
		SampleMin: func(p *int64, n int64) int64 { return int64(C.native_sample_min_sse42(i64(p), C.int64_t(n))) },
		DotF32: func(a, b *float32, n int64) float32 {
			return float32(C.native_dot_f32_sse42(f32(a), f32(b), C.int64_t(n)))
		},
	},
	"avx2": {
		SampleSum: func(p *int64, n int64) int64 { return int64(C.native_sample_sum_avx2(i64(p), C.int64_t(n))) },
		SampleMax: func(p *int64, n int64) int64 { return int64(C.native_sample_max_avx2(i64(p), C.int64_t(n))) },
		SampleMin: func(p *int64, n int64) int64 { return int64(C.native_sample_min_avx2(i64(p), C.int64_t(n))) },
		DotF32: func(a, b *float32, n int64) float32 {
			return float32(C.native_dot_f32_avx2(f32(a), f32(b), C.int64_t(n)))
		},
	},
	"avx512": {
		SampleSum: func(p *int64, n int64) int64 { return int64(C.native_sample_sum_avx512(i64(p), C.int64_t(n))) },
		SampleMax: func(p *int64, n int64) int64 { return int64(C.native_sample_max_avx512(i64(p), C.int64_t(n))) },
		SampleMin: func(p *int64, n int64) int64 { return int64(C.native_sample_min_avx512(i64(p), C.int64_t(n))) },
		DotF32: func(a, b *float32, n int64) float32 {
			return float32(C.native_dot_f32_avx512(f32(a), f32(b), C.int64_t(n)))
		},
	},
}
