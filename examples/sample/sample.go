//go:build amd64

// Package sample sums, maxes and mins int64 slices with AVX2 code compiled by clang and
// translated to Go assembly by c2goasm-rs, falling back to Go on CPUs without AVX2.
package sample

import "unsafe"

func SampleSum(v []int64) int64 {
	if !hasAVX2 || len(v) == 0 {
		return sampleSum(v)
	}
	return _sample_sum_avx2(unsafe.Pointer(&v[0]), int64(len(v)))
}

func SampleMax(v []int64) int64 {
	if !hasAVX2 || len(v) == 0 {
		return sampleMax(v)
	}
	return _sample_max_avx2(unsafe.Pointer(&v[0]), int64(len(v)))
}

func SampleMin(v []int64) int64 {
	if !hasAVX2 || len(v) == 0 {
		return sampleMin(v)
	}
	return _sample_min_avx2(unsafe.Pointer(&v[0]), int64(len(v)))
}

func sampleSum(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}

func sampleMax(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		if x > m {
			m = x
		}
	}
	return m
}

func sampleMin(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		if x < m {
			m = x
		}
	}
	return m
}
