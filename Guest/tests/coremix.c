/* A CoreMark-class workload: each round sorts a linked list (merge sort, by value then back by
 * index), multiplies two integer matrices, runs a state machine over a text of numbers, recurses
 * (Fibonacci and a small Ackermann) and folds every result into a CRC-16. The data is in .data, so
 * the linker script lays it out right after the code, on the same 4 KiB page as the hot functions
 * (the kernel checks that): stores to it are stores to a page holding code, as in many small kernels. Every round starts from the same data, so the checksum does not depend on ROUNDS:
 * Benchmarks/Jit/CoreMix/build.sh builds the same source with other round counts for timing. */
#include "test.h"

#ifndef ROUNDS
#define ROUNDS 8ULL
#endif

const char test_name[] = "coremix";

#define NODES 32
#define DIM 8

struct node {
    struct node *next;
    int16_t value;
    int16_t index;
};

/* All of the mutable state, initialised (so in .data, not .bss) and small: it sits beside the code.
 * Benchmarks build a variant with DATA_APART, where the data starts a page of its own: the same work
 * without stores beside code, for comparison. */
#ifdef DATA_APART
#define DATA_ON_CODE_PAGE 0
__attribute__((aligned(4096)))
#else
#define DATA_ON_CODE_PAGE 1
#endif
static struct node nodes[NODES] = {{0, 1, 0}};
static int16_t mat_a[DIM * DIM] = {1};
static int16_t mat_b[DIM * DIM] = {1};
static int32_t mat_c[DIM * DIM] = {1};
static uint32_t state_counts[8] = {1};
static char text[] = "1204,-37,0x7f,4.5e3,+88,abc,0x1g,-.5,9e-2,77,0,-0,12ab,5.,.e1,0xAB,";

/* Not inlined, as a CRC routine is usually shared: that keeps the code small. */
__attribute__((noinline)) static uint16_t crc8(uint8_t data, uint16_t crc) {
    for (int i = 0; i < 8; i++) {
        uint8_t x = (data & 1) ^ (crc & 1);
        data >>= 1;
        crc = x ? ((crc ^ 0x4002) >> 1) | 0x8000 : crc >> 1;
    }
    return crc;
}

static uint16_t crc16(uint16_t v, uint16_t crc) {
    crc = crc8((uint8_t)v, crc);
    return crc8((uint8_t)(v >> 8), crc);
}

static uint16_t crc32v(uint32_t v, uint16_t crc) {
    crc = crc16((uint16_t)v, crc);
    return crc16((uint16_t)(v >> 16), crc);
}

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint32_t ackermann(uint32_t m, uint32_t n) {
    if (m == 0) {
        return n + 1;
    }
    return n == 0 ? ackermann(m - 1, 1) : ackermann(m - 1, ackermann(m, n - 1));
}
typedef int (*cmp_fn)(const struct node *a, const struct node *b);
static struct node *list_sort(struct node *list, cmp_fn cmp);
static uint16_t round_work(void);

int main(void) {
    uint64_t page = (uint64_t)(uintptr_t)&nodes >> 12;
    check("data on the page of list_sort", ((uint64_t)(uintptr_t)&list_sort >> 12) == page, DATA_ON_CODE_PAGE);
    check("data on the page of round_work", ((uint64_t)(uintptr_t)&round_work >> 12) == page, DATA_ON_CODE_PAGE);
    check("fib(14)", fib(14), 377);
    check("ackermann(2, 5)", ackermann(2, 5), 13);
    uint16_t first = round_work();
    uint64_t same = 1;
    for (uint64_t r = 1; r < ROUNDS; r++) {
        same &= round_work() == first;
    }
    check("every round the same", same, 1);
    check("crc", first, 0x8d92);
    finish();
}

/* The functions that store to the data come last in .text (the support library is linked before this
 * kernel), and the first of them starts a page: the layout then does not depend on the library's size,
 * and the data follows this page's code as the linker script lays out .text, .rodata and .data. */
__attribute__((aligned(4096))) static int by_value(const struct node *a, const struct node *b) {
    return a->value != b->value ? a->value - b->value : a->index - b->index;
}

static int by_index(const struct node *a, const struct node *b) { return a->index - b->index; }

/* Bottom-up merge sort of a singly linked list (as CoreMark's core_list_mergesort). */
static struct node *list_sort(struct node *list, cmp_fn cmp) {
    for (int width = 1;; width *= 2) {
        struct node *p = list, *tail = 0;
        list = 0;
        int merges = 0;
        while (p) {
            merges++;
            struct node *q = p;
            int psize = 0;
            for (int i = 0; i < width && q; i++) {
                psize++;
                q = q->next;
            }
            int qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                struct node *e;
                if (psize == 0) {
                    e = q, q = q->next, qsize--;
                } else if (qsize == 0 || !q || cmp(p, q) <= 0) {
                    e = p, p = p->next, psize--;
                } else {
                    e = q, q = q->next, qsize--;
                }
                if (tail) {
                    tail->next = e;
                } else {
                    list = e;
                }
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1) {
            return list;
        }
    }
}

static uint16_t list_work(uint32_t seed, uint16_t crc) {
    for (int i = 0; i < NODES; i++) {
        seed = seed * 1103515245u + 12345u;
        nodes[i].value = (int16_t)(seed >> 16);
        nodes[i].index = (int16_t)i;
        nodes[i].next = i + 1 < NODES ? &nodes[i + 1] : 0;
    }
    struct node *list = list_sort(&nodes[0], by_value);
    for (struct node *n = list; n; n = n->next) {
        crc = crc16((uint16_t)n->value, crc);
    }
    list = list_sort(list, by_index);
    int position = 0;
    for (struct node *n = list; n; n = n->next, position++) {
        if (n->index != position) {
            crc ^= 0xFFFF;
        }
    }
    return crc;
}

static uint16_t matrix_work(uint32_t seed, uint16_t crc) {
    for (int i = 0; i < DIM * DIM; i++) {
        seed = seed * 69069u + 1u;
        mat_a[i] = (int16_t)((seed >> 20) & 0xFF) - 128;
        mat_b[i] = (int16_t)((seed >> 8) & 0x3F) - 32;
    }
    for (int r = 0; r < DIM; r++) {
        for (int c = 0; c < DIM; c++) {
            int32_t sum = 0;
            for (int k = 0; k < DIM; k++) {
                sum += mat_a[r * DIM + k] * mat_b[k * DIM + c];
            }
            mat_c[r * DIM + c] = sum;
        }
    }
    for (int i = 0; i < DIM * DIM; i++) {
        crc = crc32v((uint32_t)(mat_c[i] + (mat_c[i] >> 3)), crc);
    }
    return crc;
}

enum { S_START, S_INT, S_SIGN, S_HEX, S_FLOAT, S_EXP, S_EXPSIGN, S_INVALID };

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A number recogniser over comma-separated tokens (as CoreMark's core_state). */
static uint16_t state_work(uint16_t crc) {
    for (int i = 0; i < 8; i++) {
        state_counts[i] = 0;
    }
    int state = S_START;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == ',') {
            state_counts[state]++;
            state = S_START;
            continue;
        }
        switch (state) {
        case S_START:
            state = is_digit(c) ? S_INT : (c == '+' || c == '-') ? S_SIGN : c == '.' ? S_FLOAT : S_INVALID;
            break;
        case S_SIGN:
            state = is_digit(c) ? S_INT : c == '.' ? S_FLOAT : S_INVALID;
            break;
        case S_INT:
            if (c == 'x' && p[-1] == '0') {
                state = S_HEX;
            } else {
                state = is_digit(c) ? S_INT : c == '.' ? S_FLOAT : (c == 'e' || c == 'E') ? S_EXP : S_INVALID;
            }
            break;
        case S_HEX:
            state = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ? S_HEX : S_INVALID;
            break;
        case S_FLOAT:
            state = is_digit(c) ? S_FLOAT : (c == 'e' || c == 'E') ? S_EXP : S_INVALID;
            break;
        case S_EXP:
            state = is_digit(c) ? S_EXPSIGN : (c == '+' || c == '-') ? S_EXPSIGN : S_INVALID;
            break;
        case S_EXPSIGN:
            state = is_digit(c) ? S_EXPSIGN : S_INVALID;
            break;
        default:
            break;
        }
    }
    for (int i = 0; i < 8; i++) {
        crc = crc32v(state_counts[i], crc);
    }
    return crc;
}

static uint16_t round_work(void) {
    uint16_t crc = 0;
    crc = list_work(0x1234u, crc);
    crc = matrix_work(0x5678u, crc);
    crc = state_work(crc);
    crc = crc32v(fib(14), crc);
    crc = crc32v(ackermann(2, 5), crc);
    return crc;
}
