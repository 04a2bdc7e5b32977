/* The native side of the SIMD test: the same computation as the test kernel, on the host CPU. */
#include <stdio.h>
#include "work.h"

void simd_emit(const char *name, uint64_t value) { printf("%s: 0x%016llx\n", name, (unsigned long long)value); }

void simd_emit_text(const char *name, const char *text) { printf("%s: %s\n", name, text); }

int main(void) {
    simd_work();
    return 0;
}
