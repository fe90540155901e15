package handasm

// Shapes of calling C code that uses a little stack (here clang-19 -O3 -mstackrealign
// output, copied by hand as machine code), for the stack-cost benchmark (issue #12).

// Add3Switched is add3 (-mstackrealign, sse4.2) called the way translated kernels that
// touch the stack were before: the wrapper's Go frame holds the C stack, SP is switched
// into it around a call of the C function.
func Add3Switched(a, b, c int64) int64

// DotF32Peer is dot_f32 (-mstackrealign, avx2 -mfma) in the peers' direct-call shape
// (goat, gocc, c2goasm): the C machine code inlined into a NOSPLIT, $0 function and run
// below Go's SP with nothing declared to Go, each `ret` replaced by the result store.
func DotF32Peer(a, b *float32, n int64) float32

// Add3RealignPeer and Add3SpillPeer are add3 built with -mstackrealign, and with a small
// spill (-DBENCH_SPILL), in the peers' direct-call shape.
func Add3RealignPeer(a, b, c int64) int64
func Add3SpillPeer(a, b, c int64) int64
