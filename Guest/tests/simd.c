/* simd: code from plain gcc -O2 with SSE enabled, on a kernel that turns SSE on first. This file is
 * the kernel (general registers only, like the rest of the support library); simd/work.c is the
 * computation, compiled with SSE and also built as a native host program, so the lines it prints are
 * compared with the host CPU's as well as QEMU's (Tests/Guest.Tests/TestKernels/SimdKernelTests).
 * Before it: CPUID reports x87, FXSR, SSE and SSE2; CR0.EM clear and CR0.MP set, CR4.OSFXSR and
 * OSXMMEXCPT set (SDM Vol. 3A, 13.1.3). After it, the faults of the SSE state (SDM Vol. 3A, 13.4 and
 * Vol. 2, "SIMD Floating-Point Exceptions"): an unmasked exception is #XM with OSXMMEXCPT, #UD without;
 * CR0.TS gives #NM; CR4.OSFXSR clear makes an SSE instruction #UD. */
#include "test.h"
#include "simd/work.h"

const char test_name[] = "simd";

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define MXCSR_ZE_UNMASKED (0x1F80u & ~(1u << 9))

void simd_emit(const char *name, uint64_t value) { kprintf("%s: 0x%016lx\n", name, value); }

void simd_emit_text(const char *name, const char *text) { kprintf("%s: %s\n", name, text); }

static const double one = 1.0, zero = 0.0;
static uint32_t mxcsr_image;

static void load_mxcsr(uint32_t m) {
    mxcsr_image = m;
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr_image));
}

static uint32_t store_mxcsr(void) {
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr_image));
    return mxcsr_image;
}

static void divide_by_zero(void) {
    __asm__ volatile("movsd %0, %%xmm0; divsd %1, %%xmm0" : : "m"(one), "m"(zero));
}

static void move_xmm(void) { __asm__ volatile("movaps %%xmm1, %%xmm0" : :); }

static void check_fault(const char *what, void (*fn)(void), uint64_t vector) {
    section(what);
    check_u("  faulted", probe(fn), 1);
    check_u("  vector", last_fault.vector, vector);
}

int main(void) {
    uint32_t r[4];
    cpuid(1, 0, r);
    section("cpuid.1:edx");
    check("  fpu", r[3] & 1, 1);
    check("  fxsr", (r[3] >> 24) & 1, 1);
    check("  sse", (r[3] >> 25) & 1, 1);
    check("  sse2", (r[3] >> 26) & 1, 1);
    check("  mmx", (r[3] >> 23) & 1, 1);
    section("cpuid.1:ecx");
    check("  ssse3", (r[2] >> 9) & 1, 1);

    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    __asm__ volatile("fninit");
    check("mxcsr at reset", store_mxcsr(), 0x1F80);

    kprintf("work:\n");
    int n = simd_work();
    kprintf("end of work\n");
    check_u("results", n, 65);

    load_mxcsr(MXCSR_ZE_UNMASKED);
    check_fault("unmasked 1/0 with osxmmexcpt", divide_by_zero, 19);
    check("  mxcsr ze flag", store_mxcsr() & 0x3F, 0x4);
    write_cr4(read_cr4() & ~CR4_OSXMMEXCPT);
    load_mxcsr(MXCSR_ZE_UNMASKED);
    check_fault("unmasked 1/0 without osxmmexcpt", divide_by_zero, 6);
    write_cr4(read_cr4() | CR4_OSXMMEXCPT);
    load_mxcsr(0x1F80);

    write_cr0(read_cr0() | CR0_TS);
    check_fault("sse with cr0.ts", move_xmm, 7);
    __asm__ volatile("clts");
    check_u("sse after clts faults", probe(move_xmm), 0);

    write_cr4(read_cr4() & ~CR4_OSFXSR);
    check_fault("sse without osfxsr", move_xmm, 6);
    write_cr4(read_cr4() | CR4_OSFXSR);
    finish();
}
