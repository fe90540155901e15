package sample

import "unsafe"

// Declarations of the translated C functions (c2goasm style: `_name` binds to C `name`).
// c2goasm-rs reads this file (same base name as sample_avx2_amd64.s) to lay out arguments.

//go:noescape
func _sample_sum_avx2(addr unsafe.Pointer, len int64) (x int64)

//go:noescape
func _sample_max_avx2(addr unsafe.Pointer, len int64) (x int64)

//go:noescape
func _sample_min_avx2(addr unsafe.Pointer, len int64) (x int64)
