/* Call overhead: an empty function and a trivial one with three arguments. */
#include <stdint.h>

void nop(void) {}

int64_t add3(int64_t a, int64_t b, int64_t c) { return a + b + c; }
