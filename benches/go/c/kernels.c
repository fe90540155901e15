/* Kernel throughput: the seed's sample_sum/max/min and a float dot product. */
#include <stdint.h>

int64_t sample_sum(const int64_t *beg, int64_t len) {
    int64_t sum = 0;
    const int64_t *end = beg + len;
    while (beg < end) sum += *beg++;
    return sum;
}

int64_t sample_max(const int64_t *beg, int64_t len) {
    int64_t max = INT64_MIN;
    const int64_t *end = beg + len;
    if (len == 0) return 0;
    for (; beg < end; beg++) if (*beg > max) max = *beg;
    return max;
}

int64_t sample_min(const int64_t *beg, int64_t len) {
    if (len == 0) return 0;
    int64_t min = INT64_MAX;
    const int64_t *end = beg + len;
    for (; beg < end; beg++) if (*beg < min) min = *beg;
    return min;
}

float dot_f32(const float *a, const float *b, int64_t len) {
    float s = 0;
    for (int64_t i = 0; i < len; i++) s += a[i] * b[i];
    return s;
}
