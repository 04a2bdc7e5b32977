/* A SIMD-heavy guest loop for Benchmarks/Jit/GuestKernelBenchmark: each round runs four loops over
 * 2048-element arrays that gcc -O2 vectorises with SSE2 (MULPS/ADDPS, PXOR/PSLLD/PSRLD/PADDD,
 * MULPD/SUBPD, PMAXUB) and folds their results into a hash. Every round computes the same values, so
 * the kernel checks that all rounds agree and the hash does not depend on ROUNDS. Built without
 * -mgeneral-regs-only by build-guest.sh; main turns SSE on (CR0.EM clear, CR4.OSFXSR) before any
 * SSE instruction runs and leaves the loops to functions that are not inlined into it. */
#include "test.h"

#ifndef ROUNDS
#define ROUNDS 8ULL
#endif
#define N 2048

const char test_name[] = "simdloop";

static float fx[N], fy[N], fz[N];
static double dx[N], dy[N], dz[N];
static uint32_t ia[N], ib[N], ic[N];
static uint8_t bytes[N];

__attribute__((noinline)) static void fill(void) {
    uint32_t seed = 2024;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        ia[i] = seed;
        ib[i] = seed >> 9;
        bytes[i] = (uint8_t)((seed >> 16) % 253);
        fx[i] = (float)(int)(seed % 1000) * 0.25f;
        fz[i] = (float)i;
        dx[i] = (double)(int)(seed % 3000) / 8.0;
        dz[i] = (double)i * 0.5;
    }
}

__attribute__((noinline)) static uint64_t round_work(void) {
    for (int i = 0; i < N; i++) {
        fy[i] = fx[i] * 1.5f + fz[i];
    }
    for (int i = 0; i < N; i++) {
        ic[i] = (ia[i] ^ (ib[i] << 3)) + (ia[i] >> 5);
    }
    for (int i = 0; i < N; i++) {
        dy[i] = dx[i] * 0.75 - dz[i];
    }
    uint32_t sum = 0;
    for (int i = 0; i < N; i++) {
        sum += ic[i];
    }
    uint8_t max = 0;
    for (int i = 0; i < N; i++) {
        max = bytes[i] > max ? bytes[i] : max;
    }
    union { float f; uint32_t u; } f = {fy[N / 3]};
    union { double d; uint64_t u; } d = {dy[N / 5]};
    return ((uint64_t)sum << 32 | max) ^ f.u ^ d.u;
}

int main(void) {
    write_cr0((read_cr0() & ~(1ull << 2)) | (1ull << 1)); /* CR0.EM off, MP on */
    write_cr4(read_cr4() | (1ull << 9));                  /* CR4.OSFXSR */
    fill();
    uint64_t first = round_work(), same = 1;
    for (uint64_t r = 1; r < ROUNDS; r++) {
        same &= round_work() == first;
    }
    check("rounds agree", same, 1);
    check("hash", first, 0x3fceee60444328fcull);
    finish();
}
