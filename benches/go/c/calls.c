/* Call overhead: an empty function and a trivial one with three arguments. */
#include <stdint.h>

void nop(void) {}

int64_t add3(int64_t a, int64_t b, int64_t c) {
#ifdef BENCH_SPILL
    /* A small spill (built with -DBENCH_SPILL for the stack-cost benchmark): one value
       goes through a stack slot, as register pressure makes compilers do. */
    volatile int64_t slot = c;
    c = slot;
#endif
    return a + b + c;
}
