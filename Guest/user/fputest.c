/* fputest: test=fpu. A user program built with SSE enabled (plain gcc -O2, not -mgeneral-regs-only;
 * user/user.mk): the kernel must keep each thread's x87/SSE registers its own (kernel/fpu.c).
 *   - two workers run at once, each with its own values in XMM0-XMM15, its own MXCSR rounding mode
 *     and x87 control word; after every one of many yields (each lets the other worker run and
 *     overwrite the registers) the values must still be there, and a floating-point computation
 *     interleaved with the yields must give the same bits as without them;
 *   - unmasked SIMD and x87 exceptions kill the faulting process (#XM, #MF) like any other fault, and so
 *     does an AVX instruction (#UD: Mica leaves CR4.OSXSAVE clear);
 *   - a process started after them begins with the reset state (FCW 037FH, MXCSR 1F80H), not with
 *     the unmasked exceptions the killed one left behind. */
#include "mica.h"

#define YIELDS 500
#define WORKER_OK 0
#define NOT_RAISED 3   /* the exception did not happen (QEMU 7.2 TCG raises no #XM) */

typedef struct { uint64_t lo, hi; } xmm_t;

static uint32_t get_mxcsr(void) {
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m));
    return m;
}

static void set_mxcsr(uint32_t m) { __asm__ volatile("ldmxcsr %0" ::"m"(m)); }

static uint16_t get_fcw(void) {
    uint16_t w;
    __asm__ volatile("fnstcw %0" : "=m"(w));
    return w;
}

/* Loads XMM0-15 from in, yields (the kernel switches to another thread), stores them to out. All
 * in one asm statement, so that no compiler-generated code touches the registers in between. */
static void xmm_across_yield(const xmm_t in[16], xmm_t out[16]) {
    long rax = SYS_YIELD;
    __asm__ volatile(
        "movdqu 0x00(%1), %%xmm0\n movdqu 0x10(%1), %%xmm1\n movdqu 0x20(%1), %%xmm2\n movdqu 0x30(%1), %%xmm3\n"
        "movdqu 0x40(%1), %%xmm4\n movdqu 0x50(%1), %%xmm5\n movdqu 0x60(%1), %%xmm6\n movdqu 0x70(%1), %%xmm7\n"
        "movdqu 0x80(%1), %%xmm8\n movdqu 0x90(%1), %%xmm9\n movdqu 0xa0(%1), %%xmm10\n movdqu 0xb0(%1), %%xmm11\n"
        "movdqu 0xc0(%1), %%xmm12\n movdqu 0xd0(%1), %%xmm13\n movdqu 0xe0(%1), %%xmm14\n movdqu 0xf0(%1), %%xmm15\n"
        "syscall\n"
        "movdqu %%xmm0, 0x00(%2)\n movdqu %%xmm1, 0x10(%2)\n movdqu %%xmm2, 0x20(%2)\n movdqu %%xmm3, 0x30(%2)\n"
        "movdqu %%xmm4, 0x40(%2)\n movdqu %%xmm5, 0x50(%2)\n movdqu %%xmm6, 0x60(%2)\n movdqu %%xmm7, 0x70(%2)\n"
        "movdqu %%xmm8, 0x80(%2)\n movdqu %%xmm9, 0x90(%2)\n movdqu %%xmm10, 0xa0(%2)\n movdqu %%xmm11, 0xb0(%2)\n"
        "movdqu %%xmm12, 0xc0(%2)\n movdqu %%xmm13, 0xd0(%2)\n movdqu %%xmm14, 0xe0(%2)\n movdqu %%xmm15, 0xf0(%2)\n"
        : "+a"(rax)
        : "r"(in), "r"(out)
        : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
          "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* Floating-point work whose every step rounds by MXCSR.RC: yields between steps when asked. */
static uint64_t compute(int n, bool yielding) {
    double acc = 1.0;
    for (int i = 1; i <= YIELDS; i++) {
        acc = acc * 1.000001 + __builtin_sqrt((double)i) / 3.0;
        if (yielding)
            yield();
    }
    union { double d; uint64_t u; } v = {acc + (double)n};
    return v.u;
}

static int worker(int n) {
    if (get_mxcsr() != 0x1F80 || get_fcw() != 0x037F) {
        printf("worker %d: FAIL initial mxcsr %x fcw %x\n", n, get_mxcsr(), get_fcw());
        return 1;
    }
    set_mxcsr(0x1F80 | (uint32_t)n << 13);   /* worker 1 rounds down, worker 2 up */
    uint16_t fcw = (uint16_t)(0x037F | ((n ^ 3) & 3) << 10);   /* its x87 the other way */
    __asm__ volatile("fldcw %0" ::"m"(fcw));
    uint64_t quiet = compute(n, false);
    xmm_t in[16], out[16];
    for (int r = 0; r < 16; r++)
        in[r] = (xmm_t){0x1111111111111111ull * (uint64_t)n + (uint64_t)r, ~(uint64_t)r ^ ((uint64_t)n << 40)};
    for (int i = 0; i < YIELDS; i++) {
        xmm_across_yield(in, out);
        for (int r = 0; r < 16; r++)
            if (out[r].lo != in[r].lo || out[r].hi != in[r].hi) {
                printf("worker %d: FAIL xmm%d after yield %d: %lx%016lx\n", n, r, i, out[r].hi, out[r].lo);
                return 1;
            }
        in[i % 16].lo += 0x0101;   /* new values each time */
    }
    uint64_t busy = compute(n, true);
    if (busy != quiet || (get_mxcsr() & ~0x3Fu) != (0x1F80 | (uint32_t)n << 13) || get_fcw() != fcw) {
        printf("worker %d: FAIL %lx vs %lx, mxcsr %x fcw %x\n", n, busy, quiet, get_mxcsr(), get_fcw());
        return 1;
    }
    printf("worker %d: %d yields, xmm0-15 mxcsr fcw kept, result %lx\n", n, YIELDS, busy);
    return WORKER_OK;
}

static volatile double one = 1.0, zero = 0.0;

/* an unmasked divide-by-zero: SSE's raises #XM now, x87's #MF at the next x87 instruction; or AVX */
static int unmasked(const char *which) {
    if (!strcmp(which, "avx")) {
        __asm__ volatile("vaddps %%xmm0, %%xmm1, %%xmm2" ::: "xmm2");
    } else if (!strcmp(which, "xm")) {
        set_mxcsr(0x1F80 & ~(1u << 9));
        volatile double r = one / zero;
        (void)r;
    } else {
        uint16_t fcw = 0x037F & ~(1u << 2);
        __asm__ volatile("fldcw %0\n fld1\n fldz\n fdivrp\n fwait\n fstp %%st(0)" ::"m"(fcw));
    }
    return NOT_RAISED;
}

static int run(const char *arg) {
    long pid = spawn("fputest", arg, 0);
    int status = -1;
    if (pid <= 0 || wait(pid, &status, 0) != pid)
        return -1;
    return status;
}

static _Noreturn void finish(bool ok, const char *why) {
    printf(ok ? "TEST fpu: PASS\n" : "TEST fpu: FAIL %s\n", why);
    fsync(stdout_fd);
    outl(0xF4, ok ? 0 : 1);
    exit(ok ? 0 : 1);
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    if (!strncmp(arg, "worker ", 7))
        return worker(arg[7] - '0');
    if (!strncmp(arg, "unmasked ", 9))
        return unmasked(arg + 9);
    long w1 = spawn("fputest", "worker 1", SPAWN_SUSPENDED), w2 = spawn("fputest", "worker 2", SPAWN_SUSPENDED);
    if (w1 <= 0 || w2 <= 0)
        finish(false, "cannot spawn the workers");
    start(w1);
    start(w2);
    int s1 = -1, s2 = -1;
    wait(w1, &s1, 0);
    wait(w2, &s2, 0);
    if (s1 != WORKER_OK || s2 != WORKER_OK)
        finish(false, "a worker's registers changed");
    int xm = run("unmasked xm"), mf = run("unmasked mf"), avx = run("unmasked avx");
    printf("unmasked sse divide by zero: %s\n", xm == (KILLED | 19) ? "killed (vector 19)" : xm == NOT_RAISED ? "not raised" : "?");
    printf("unmasked x87 divide by zero: %s\n", mf == (KILLED | 16) ? "killed (vector 16)" : mf == NOT_RAISED ? "not raised" : "?");
    printf("avx without cr4.osxsave: %s\n", avx == (KILLED | 6) ? "killed (vector 6)" : "?");
    if ((xm != (KILLED | 19) && xm != NOT_RAISED) || (mf != (KILLED | 16) && mf != NOT_RAISED) || avx != (KILLED | 6))
        finish(false, "an unmasked exception went wrong");
    if (run("worker 3") != WORKER_OK)
        finish(false, "a process after the faults did not start with the reset state");
    finish(true, "");
}
