/* A jump-table state machine: a JSON tokenizer (counts tokens, tracks nesting, sums
   integers, hashes strings) - a switch on the state and, in the value state, a dense switch
   on the byte, which compilers turn into jump tables. Valid input assumed; an unexpected
   byte returns -1 - its index. */
#include <stdint.h>

enum { VALUE, STRING, ESCAPE, NUMBER, FRACTION, LITERAL };

int64_t json_tokens(const uint8_t *p, int64_t n) {
    int state = VALUE;
    int64_t tokens = 0, depth = 0, num = 0;
    uint64_t h = 0;
    for (int64_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        switch (state) {
        case VALUE:
        value:
            switch (c) {
            case ' ': case '\t': case '\n': case '\r': break;
            case '{': case '[': depth++; tokens++; break;
            case '}': case ']': depth--; tokens++; break;
            case ':': case ',': tokens++; break;
            case '"': state = STRING; tokens++; h = h * 31 + 1; break;
            case '-': state = NUMBER; tokens++; num = 0; break;
            case '0' ... '9': state = NUMBER; tokens++; num = c - '0'; break;
            case 't': case 'f': case 'n': state = LITERAL; tokens++; h += c; break;
            default: return -1 - i;
            }
            break;
        case STRING:
            switch (c) {
            case '"': state = VALUE; break;
            case '\\': state = ESCAPE; break;
            default: h = h * 31 + c; break;
            }
            break;
        case ESCAPE: state = STRING; h ^= c; break;
        case NUMBER:
            switch (c) {
            case '0' ... '9': num = num * 10 + (c - '0'); break;
            case '.': case 'e': case 'E': state = FRACTION; break;
            default: h += (uint64_t)num; state = VALUE; goto value;
            }
            break;
        case FRACTION:
            switch (c) {
            case '0' ... '9': case '+': case '-': case 'e': case 'E': break;
            default: h += (uint64_t)num; state = VALUE; goto value;
            }
            break;
        case LITERAL:
            if (c - 'a' < 26u) break;
            state = VALUE;
            goto value;
        }
    }
    return (int64_t)(h ^ ((uint64_t)tokens << 32) ^ (uint64_t)depth);
}
