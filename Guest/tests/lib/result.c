/* Checks, the final TEST line and isa-debug-exit (port 0xF4: QEMU exits with (value << 1) | 1). */
#include "test.h"

static const char *first_failure;
static const char *current_section;
static char reason_buf[160];

void section(const char *title) {
    kprintf("%s:\n", title);
    current_section = title;
}

void fail(const char *reason) {
    if (first_failure) {
        return;
    }
    if (reason[0] != ' ' || !current_section) {
        first_failure = reason;
        return;
    }
    /* an indented name belongs to the section above it */
    size_t n = 0;
    for (const char *p = current_section; *p && n < sizeof reason_buf / 2; p++) {
        reason_buf[n++] = *p;
    }
    reason_buf[n++] = ' ';
    reason_buf[n++] = '/';
    reason_buf[n++] = ' ';
    while (*reason == ' ') {
        reason++;
    }
    for (const char *p = reason; *p && n < sizeof reason_buf - 1; p++) {
        reason_buf[n++] = *p;
    }
    reason_buf[n] = 0;
    first_failure = reason_buf;
}

int failed(void) { return first_failure != 0; }

/* a line that is not indented is the context for the indented lines below it */
static void note_context(const char *name) {
    if (name[0] != ' ') {
        current_section = name;
    }
}

void check(const char *name, uint64_t got, uint64_t want) {
    note_context(name);
    kprintf("%s: 0x%lx\n", name, got);
    if (got != want) {
        kprintf("  (expected 0x%lx)\n", want);
        fail(name);
    }
}

void check_u(const char *name, uint64_t got, uint64_t want) {
    note_context(name);
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
