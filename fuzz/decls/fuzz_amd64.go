// Declarations for the amd64 fuzz targets: written by make_seeds.py.

package fuzz

import "unsafe"

var _ unsafe.Pointer

//go:noescape
func _sample_max(beg unsafe.Pointer, len int64) (x int64)

//go:noescape
func _sample_min(beg unsafe.Pointer, len int64) (x int64)

//go:noescape
func _sample_sum(beg unsafe.Pointer, len int64) (x int64)

//go:noescape
func add(a, b, c, d int64) int64

//go:noescape
func add2(a, b, c, d int64) int64

//go:noescape
func affine_u8(dst *uint8, src *uint8, len int64)

//go:noescape
func apply(a, b, c, d int64) int64

//go:noescape
func bump(a, b, c, d int64) int64

//go:noescape
func checked_max(a, b, c, d int64) int64

//go:noescape
func clamped_sum(p *int64, len int64) int64

//go:noescape
func clampf(x float32) float32

//go:noescape
func classify(x int64) int32

//go:noescape
func copy_bytes(dst *uint8, src *uint8, len int64)

//go:noescape
func copy_structs(pdst *float64, psrc *float64, len int64)

//go:noescape
func count_byte(p *uint8, n int64, c uint8) int64

//go:noescape
func count_vowels(src *uint8, len int64) int64

//go:noescape
func crc32c(p *uint8, n int64) uint32

//go:noescape
func depth(a, b, c, d int64) int64

//go:noescape
func dot3(pa *float64, pb *float64, len int64) float64

//go:noescape
func dot_f32(a *float32, b *float32, len int64) float32

//go:noescape
func dot_f64(a *float64, b *float64, len int64) float64

//go:noescape
func dot_i32(a *int32, b *int32, len int64) int64

//go:noescape
func dot_i32_twice(a *int32, b *int32, len int64) int64

//go:noescape
func hist(a, b, c, d int64) int64

//go:noescape
func histogram_max(src *uint8, len int64) int64

//go:noescape
func lane_mul(dst *int32, src *int32, len int64)

//go:noescape
func local_table(i int64) int64

//go:noescape
func many_accumulators(x *float32, len int64) float32

//go:noescape
func many_ints(a int64, b int32, c int16, d int8, e uint64, f uint32, g uint16, h uint8, i int64) int64

//go:noescape
func mix_all(p *int64, len int64) int64

//go:noescape
func mixed(a float32, b int64, c float64, d int32, e float32, f float64, g int8, h float64, i float32, j float64, k float64, l float64, m uint16, n float64) float64

//go:noescape
func op(a, b, c, d int64) int64

//go:noescape
func pick(c bool, a, b int64) int64

//go:noescape
func poly(x *float64, len int64) float64

//go:noescape
func popcount_bytes(src *uint8, len int64) int64

//go:noescape
func ret_bool(x, y int64) bool

//go:noescape
func ret_f32(x, y float32) float32

//go:noescape
func ret_f64(x float64, k int32) float64

//go:noescape
func ret_i16(x int64) int16

//go:noescape
func ret_i32(x int64) int32

//go:noescape
func ret_i8(x int64) int8

//go:noescape
func ret_ptr(p *int64, len int64) *int64

//go:noescape
func ret_u16(x int64) uint16

//go:noescape
func ret_u32(x int64) uint32

//go:noescape
func ret_u64(x, y uint64) uint64

//go:noescape
func ret_u8(x int64) uint8

//go:noescape
func reverse_i64(dst *int64, src *int64, len int64)

//go:noescape
func reverse_words(p *uint32, n int64)

//go:noescape
func sample_max_avx2(a, b, c, d int64) int64

//go:noescape
func sample_min_avx2(a, b, c, d int64) int64

//go:noescape
func sample_sum_avx2(a, b, c, d int64) int64

//go:noescape
func scale(p *float64, len int64, k float64)

//go:noescape
func scaled(a, b, c, d int64) int64

//go:noescape
func sdiv32(a, b int32) int32

//go:noescape
func shift_bytes(p *uint8, len int64, k int64)

//go:noescape
func shuffle_bytes(dst *uint8, src *uint8, n int64)

//go:noescape
func softplus(a, b, c, d int64) int64

//go:noescape
func sqrt_sum(a *float64, n int64) float64

//go:noescape
func sum_clamped(p *int64, len int64, lo int64, hi int64) int64

//go:noescape
func sum_ps(a *float32, n int64) float32

//go:noescape
func twice(a, b, c, d int64) int64

//go:noescape
func udiv(a, b uint64) uint64

//go:noescape
func vla_sum(a, b, c, d int64) int64

//go:noescape
func widen(a int8, b uint8, c int16, d uint16, e int32, f uint32) int64

//go:noescape
func zero_init(src *int32, len int64) int64
