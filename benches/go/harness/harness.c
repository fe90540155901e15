/* The native baseline of the kernel benchmarks: the very objects cgo links (symbols
   native_<kernel>_<variant>), called from C in a timed loop - no cgo, no Go. Prints one
   line per measurement, `kernel variant n ns_per_op`, the median of RUNS runs of about
   BENCH_NS each, on the same data the Go side uses (TOKENS_JSON adds the jump-table state
   machine, ONLY=json_tokens measures only that and the call floor). Built and run by
   tests/go_benchmarks.rs; its output is read by report/main.go (-native-c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KERNELS(v)                                                                      \
    int64_t native_sample_sum_##v(const int64_t *p, int64_t n);                         \
    int64_t native_sample_max_##v(const int64_t *p, int64_t n);                         \
    int64_t native_sample_min_##v(const int64_t *p, int64_t n);                         \
    float native_dot_f32_##v(const float *a, const float *b, int64_t n);
KERNELS(sse42)
KERNELS(avx2)
KERNELS(avx512)
int64_t native_add3(int64_t a, int64_t b, int64_t c);
int64_t native_json_tokens_sse42(const uint8_t *p, int64_t n);

typedef int64_t (*int_kernel)(const int64_t *, int64_t);
typedef float (*float_kernel)(const float *, const float *, int64_t);

struct variant {
    const char *name;
    int_kernel sum, max, min;
    float_kernel dot;
};

static const struct variant VARIANTS[] = {
    {"sse4.2", native_sample_sum_sse42, native_sample_max_sse42, native_sample_min_sse42,
     native_dot_f32_sse42},
    {"avx2", native_sample_sum_avx2, native_sample_max_avx2, native_sample_min_avx2,
     native_dot_f32_avx2},
    {"avx512", native_sample_sum_avx512, native_sample_max_avx512, native_sample_min_avx512,
     native_dot_f32_avx512},
};

#define MAX_N (1 << 20)
/* Page-aligned like the Go side's buffers (large Go allocations start on a page), so both
 * sides read the same data layout: cache-line splits and set conflicts match. */
static int64_t ints[MAX_N] __attribute__((aligned(4096)));
static float fa[MAX_N] __attribute__((aligned(4096)));
static float fb[MAX_N] __attribute__((aligned(4096)));
static volatile int64_t isink;
static volatile float fsink;

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Calls one kernel `iters` times; returns the elapsed nanoseconds. */
static double timed(const struct variant *v, const char *kernel, int64_t n, int64_t iters) {
    int is_dot = !strcmp(kernel, "dot_f32");
    int_kernel f = !strcmp(kernel, "sample_sum")   ? v->sum
                   : !strcmp(kernel, "sample_max") ? v->max
                                                   : v->min;
    double t0 = now_ns();
    if (is_dot) {
        for (int64_t i = 0; i < iters; i++) fsink += v->dot(fa, fb, n);
    } else {
        for (int64_t i = 0; i < iters; i++) isink += f(ints, n);
    }
    return now_ns() - t0;
}

/* ns/op of one kernel at one size: calibrate an iteration count for `budget` ns, then
   time `runs` runs and take the median. */
static double measure(const struct variant *v, const char *kernel, int64_t n, double budget,
                      int runs) {
    double results[16];
    int64_t iters = 1;
    for (;;) {
        double dt = timed(v, kernel, n, iters);
        if (dt >= budget / 8 || iters >= (1LL << 40)) {
            iters = (int64_t)((double)iters * (budget / (dt > 1 ? dt : 1))) + 1;
            break;
        }
        iters *= 4;
    }
    for (int r = 0; r < runs; r++) results[r] = timed(v, kernel, n, iters) / (double)iters;
    qsort(results, (size_t)runs, sizeof results[0], cmp_double);
    return results[runs / 2];
}

/* The jump-table state machine (states.c) on JSON text: TOKENS_JSON repeated to fill the
   buffer, exactly as report/main.go fills its own. */
static uint8_t json[MAX_N] __attribute__((aligned(4096)));
static int64_t (*volatile json_tokens_ptr)(const uint8_t *, int64_t) = native_json_tokens_sse42;

static int load_json(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    static uint8_t sample[1 << 20];
    size_t len = fread(sample, 1, sizeof sample, f);
    fclose(f);
    if (len == 0) return 0;
    for (size_t i = 0; i < MAX_N; i++) json[i] = sample[i % len];
    return 1;
}

static double timed_json(int64_t n, int64_t iters) {
    double t0 = now_ns();
    for (int64_t i = 0; i < iters; i++) isink += json_tokens_ptr(json, n);
    return now_ns() - t0;
}

static double measure_json(int64_t n, double budget, int runs) {
    double results[16];
    int64_t iters = 1;
    for (;;) {
        double dt = timed_json(n, iters);
        if (dt >= budget / 8 || iters >= (1LL << 40)) {
            iters = (int64_t)((double)iters * (budget / (dt > 1 ? dt : 1))) + 1;
            break;
        }
        iters *= 4;
    }
    for (int r = 0; r < runs; r++) results[r] = timed_json(n, iters) / (double)iters;
    qsort(results, (size_t)runs, sizeof results[0], cmp_double);
    return results[runs / 2];
}

/* Through a volatile pointer, as the kernels are called: the compiler cannot inline it. */
static int64_t (*volatile add3_ptr)(int64_t, int64_t, int64_t) = native_add3;

int main(int argc, char **argv) {
    /* argv: the variants this CPU runs (names as in VARIANTS); BENCH_NS, RUNS from env. */
    double budget = getenv("BENCH_NS") ? atof(getenv("BENCH_NS")) : 3e8;
    int runs = getenv("RUNS") ? atoi(getenv("RUNS")) : 5;
    if (runs < 1 || runs > 16) runs = 5;
    for (int64_t i = 0; i < MAX_N; i++) {
        ints[i] = (i * 7919) ^ (i >> 3);
        fa[i] = (float)(i % 97) * 0.5f;
        fb[i] = (float)(i % 89) * 0.25f;
    }
    /* The floor: a call of a trivial function from this loop (what no kernel call can
       be cheaper than). */
    {
        int64_t iters = 1;
        double dt = 0;
        for (; dt < budget / 8; iters *= 4) {
            double t0 = now_ns();
            for (int64_t i = 0; i < iters; i++) isink += add3_ptr(1, 2, isink);
            dt = now_ns() - t0;
        }
        double results[16];
        for (int r = 0; r < runs; r++) {
            double t0 = now_ns();
            for (int64_t i = 0; i < iters; i++) isink += add3_ptr(1, 2, isink);
            results[r] = (now_ns() - t0) / (double)iters;
        }
        qsort(results, (size_t)runs, sizeof results[0], cmp_double);
        printf("add3 - 0 %.3f\n", results[runs / 2]);
    }
    const char *only = getenv("ONLY");
    const char *json_path = getenv("TOKENS_JSON");
    if (json_path && load_json(json_path)) {
        const int64_t json_sizes[] = {1 << 10, 1 << 16, 1 << 20};
        for (int s = 0; s < 3; s++)
            printf("json_tokens sse4.2 %lld %.3f\n", (long long)json_sizes[s],
                   measure_json(json_sizes[s], budget, runs));
    }
    if (only && !strcmp(only, "json_tokens")) return 0;
    const char *kernels[] = {"sample_sum", "sample_max", "sample_min", "dot_f32"};
    const int64_t sizes[] = {16, 1 << 10, 1 << 16, 1 << 20};
    for (int k = 0; k < 4; k++)
        for (int a = 1; a < argc; a++)
            for (size_t v = 0; v < sizeof VARIANTS / sizeof VARIANTS[0]; v++) {
                if (strcmp(argv[a], VARIANTS[v].name)) continue;
                for (int s = 0; s < 4; s++)
                    printf("%s %s %lld %.3f\n", kernels[k], VARIANTS[v].name,
                           (long long)sizes[s],
                           measure(&VARIANTS[v], kernels[k], sizes[s], budget, runs));
            }
    return 0;
}
