/* The SIMD test's computation, shared by the test kernel (tests/simd.c) and a native host program
 * (tests/simd/host.c, built by Tests/Guest.Tests/TestKernels/SimdKernelTests): both print the same
 * lines, so the transcript is compared with QEMU's, emu's and the host CPU's at once. This file and
 * work.c are compiled with SSE enabled (plain gcc -O2); the kernel around them is not. */
#ifndef SIMD_WORK_H
#define SIMD_WORK_H
#include <stdint.h>

/* supplied by the caller: print "name: 0x<value as 16 hex digits>" or a line of text */
void simd_emit(const char *name, uint64_t value);
void simd_emit_text(const char *name, const char *text);

/* runs every block and prints its results; returns the number of results printed */
int simd_work(void);

/* the vectorised loops over work.c's arrays, named so that the test can find their instructions in the image */
uint32_t simd_int_sum(void);
void simd_int_mix(void);
uint32_t simd_byte_max(void);
void simd_float_axpy(float k);
void simd_double_scale(double k);

/* MMX, SSE and SSSE3 on MMX registers, SSSE3 on XMM registers (intrinsics), printing its results */
void simd_mmx_ssse3(void);
#endif
