/* Checks, the final TEST line and isa-debug-exit (port 0xF4: QEMU exits with (value << 1) | 1). */
#include "test.h"

static const char *first_failure;

void fail(const char *reason) {
    if (!first_failure) {
        first_failure = reason;
    }
}

int failed(void) { return first_failure != 0; }

void check(const char *name, uint64_t got, uint64_t want) {
    kprintf("%s: 0x%lx\n", name, got);
    if (got != want) {
        kprintf("  (expected 0x%lx)\n", want);
        fail(name);
    }
}

void check_u(const char *name, uint64_t got, uint64_t want) {
    kprintf("%s: %lu\n", name, got);
    if (got != want) {
        kprintf("  (expected %lu)\n", want);
        fail(name);
    }
}

void check_flags(const char *name, uint64_t flags, uint64_t mask, uint64_t want) {
    check(name, flags & mask, want);
}

void debug_exit(uint32_t value) {
    outl(0xF4, value);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

void finish(void) {
    if (first_failure) {
        kprintf("TEST %s: FAIL %s\n", test_name, first_failure);
        debug_exit(1);
    }
    kprintf("TEST %s: PASS\n", test_name);
    debug_exit(0);
}
