// Declarations for the arm64 fuzz targets: written by make_seeds.py.

package fuzz

import "unsafe"

var _ unsafe.Pointer

//go:noescape
func _pick(a, b, c, d int64) int64

//go:noescape
func _sample_sum(x []int64) int64

//go:noescape
func adler32(p *uint8, n int64) uint32

//go:noescape
func affine_i32(p *int32, n int64)

//go:noescape
func apply(a, b, c, d int64) int64

//go:noescape
func big(a, b, c, d int64) int64

//go:noescape
func big_frame(p *uint8, n int64) int64

//go:noescape
func big_lookup(idx *uint16, n int64) int64

//go:noescape
func bump(a, b, c, d int64) int64

//go:noescape
func call_spread(p *int64, q *float64) float64

//go:noescape
func classify(x int64) int32

//go:noescape
func copy_bytes(dst *uint8, src *uint8, n int64)

//go:noescape
func count_eq(s *uint8, n int64, c uint8) int64

//go:noescape
func crc4(p *uint8, n int64) uint8

//go:noescape
func depth(a, b, c, d int64) int64

//go:noescape
func dot_f32(a *float32, b *float32, n int64) float32

//go:noescape
func dot_i16(a *int16, b *int16, n int64) int32

//go:noescape
func hex(out *byte, v uint64)

//go:noescape
func hist(a, b, c, d int64) int64

//go:noescape
func histogram(p *uint8, n int64) int64

//go:noescape
func horner(c *float64, n int64, x float64) float64

//go:noescape
func insertion_sort(a *int32, n int64)

//go:noescape
func lookup16(dst *uint8, src *uint8, n int64)

//go:noescape
func many_acc(x *float32, n int64) float32

//go:noescape
func many_ints(a int64, b int32, c int16, d int8, e uint64, f uint32, g2 uint16, h uint8, i int64, j int32) int64

//go:noescape
func mat4_mul(out *float32, a *float32, b *float32)

//go:noescape
func mixed(a float32, b int64, c float64, d int32, e float32, f float64, g2 int8, h float64, i float32, j float64, k float64, l float64, m uint16, n float64) float64

//go:noescape
func mixed_dot(a *uint8, b *int8, n int64) int32

//go:noescape
func mulhi(a, b uint64) uint64

//go:noescape
func op(a, b, c, d int64) int64

//go:noescape
func pick(a, b, c, d int64) int64

//go:noescape
func poly8(out *float32, in *float32, n int64)

//go:noescape
func pressure(a, b, c, d int64) int64

//go:noescape
func ret_bool(x, y int64) bool

//go:noescape
func ret_f32(x, y float32) float32

//go:noescape
func ret_f64(x float64, k int32) float64

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
func sample_max(beg *int64, len int64) int64

//go:noescape
func sample_min(beg *int64, len int64) int64

//go:noescape
func sample_sum(beg *int64, len int64) int64

//go:noescape
func scale(a, b, c, d int64) int64

//go:noescape
func scaled(a, b, c, d int64) int64

//go:noescape
func shift_bytes(p *uint8, n int64, k int64)

//go:noescape
func softplus(a, b, c, d int64) int64

//go:noescape
func strlen_like(s *byte) int64

//go:noescape
func sum_f32_neon(a *float32, n int64) float32

//go:noescape
func tail_of_big(k int64) int32

//go:noescape
func vla_sum(a, b, c, d int64) int64

//go:noescape
func weighted(x *float64, n int64) float64

//go:noescape
func zero_init(p *int32, n int64) int64
