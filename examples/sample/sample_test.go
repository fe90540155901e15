//go:build amd64

package sample

import (
	"math"
	"math/rand"
	"testing"
)

func TestAgainstGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("CPU without AVX2: only the Go fallback runs")
	}
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 120, 121, 1000, 65536} {
		for iter := 0; iter < 20; iter++ {
			v := make([]int64, n)
			for i := range v {
				switch r.Intn(8) {
				case 0:
					v[i] = math.MinInt64
				case 1:
					v[i] = math.MaxInt64
				default:
					v[i] = r.Int63() - r.Int63()
				}
			}
			if got, want := SampleSum(v), sampleSum(v); got != want {
				t.Fatalf("SampleSum(n=%d) = %d, want %d", n, got, want)
			}
			if got, want := SampleMax(v), sampleMax(v); got != want {
				t.Fatalf("SampleMax(n=%d) = %d, want %d", n, got, want)
			}
			if got, want := SampleMin(v), sampleMin(v); got != want {
				t.Fatalf("SampleMin(n=%d) = %d, want %d", n, got, want)
			}
		}
	}
}

func BenchmarkSampleSum(b *testing.B) {
	v := make([]int64, 1000)
	for i := range v {
		v[i] = int64(i)
	}
	b.Run("avx2", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			SampleSum(v)
		}
	})
	b.Run("go", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sampleSum(v)
		}
	})
}
