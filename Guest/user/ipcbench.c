/* ipcbench: the cost of a microkernel's boundaries (DESIGN.md section 8). One line per case:
 *   BENCH name iters=N cycles/op=X instr/op=Y
 * null syscall; IPC call+reply between two processes; a 1-byte read through a scheme daemon;
 * and the monolithic baseline, the same read done in the kernel (SYS_BENCH). Cycles come from
 * RDTSC, instructions retired from RDPMC fixed counter 0 when CPUID leaf 0xA offers it (the
 * kernel enables it); without it instr/op is left out. "iters=N" on the kernel command line sets
 * the count, so that a host can difference two runs and cancel the boot; "case=NAME" runs that
 * case alone (Benchmarks/ContextSwitch times each case by itself). */
#include "mica.h"

static bool have_pmc;

static inline uint64_t instr(void) { return have_pmc ? pmc_instructions() : 0; }

static void report(const char *name, long iters, uint64_t cycles, uint64_t insns) {
    if (have_pmc)
        printf("BENCH %s iters=%d cycles/op=%u instr/op=%u\n", name, (int)iters, (unsigned)(cycles / iters),
               (unsigned)(insns / iters));
    else
        printf("BENCH %s iters=%d cycles/op=%u\n", name, (int)iters, (unsigned)(cycles / iters));
}

/* The server: answers raw IPC calls (echoing word 0) and serves the scheme bench:. */
static int server(void) {
    if (scheme_register("bench") < 0)
        return 1;
    static char buf[16];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    for (;;) {
        long r = ipc_reply_recv(to, &m, buf, rlen, sizeof buf);
        to = 0, rlen = 0;
        if (r < 0 || m.from == 0)
            continue;
        switch (m.w[0]) {
        case SC_OPEN: m.w[0] = 1; break;
        case SC_READ: buf[0] = 'x', rlen = 1, m.w[0] = 1; break;
        case SC_CLOSE: m.w[0] = 0; break;
        default: break;   /* a raw call: the words go back as they came */
        }
        to = m.from;
    }
}

/* The value of "key=" on the command line (a word of its own), or NULL. */
static const char *option(const char *cmd, const char *key) {
    size_t n = strlen(key);
    for (const char *s = cmd; *s; s++)
        if ((s == cmd || s[-1] == ' ') && !strncmp(s, key, n))
            return s + n;
    return NULL;
}

static const char *only;   /* case=NAME: run this case alone */

static bool wanted(const char *name) {
    size_t n = strlen(name);
    return !only || (!strncmp(only, name, n) && (only[n] == ' ' || only[n] == 0));
}

#define MEASURE(name, iters, body)                                   \
    if (wanted(name)) {                                              \
        for (long i_ = 0; i_ < 100; i_++) { body; }   /* warm up */ \
        uint64_t i0_ = instr(), c0_ = rdtsc();                       \
        for (long i_ = 0; i_ < iters; i_++) { body; }                \
        uint64_t c1_ = rdtsc(), i1_ = instr();                       \
        report(name, iters, c1_ - c0_, i1_ - i0_);                   \
    }

int main(const char *arg, unsigned long a2, unsigned long a3) {
    if (!strcmp(arg, "server"))
        return server();
    static char cmd[256];
    long iters = 10000;
    if (sys2(SYS_CMDLINE, cmd, sizeof cmd) >= 0) {
        const char *s = option(cmd, "iters=");
        if (s)
            iters = strtoul(s, NULL, 0);
        only = option(cmd, "case=");
    }
    if (iters < 1)
        iters = 1;
    have_pmc = pmc_available();
    long srv = spawn("ipcbench", "server", 0);
    long fd = -1;
    for (int i = 0; i < 1000 && fd < 0; i++) {
        fd = open("bench:");
        if (fd < 0)
            sleep_ms(1);
    }
    if (srv < 0 || fd < 0) {
        printf("TEST ipcbench: FAIL no server (%d, %d)\n", (int)srv, (int)fd);
        fsync(stdout_fd);
        outl(0xF4, 1);
        return 1;
    }
    struct msg m = { { 42 } };
    char c = 0;
    long bad = 0;
    MEASURE("null_syscall", iters, sys1(SYS_GETPID, 0));
    MEASURE("ipc_roundtrip", iters, m.w[0] = 42; bad += ipc_call(srv, &m, NULL, 0, 0) != 0 || m.w[0] != 42);
    MEASURE("scheme_read", iters, bad += read(fd, &c, 1) != 1 || c != 'x');
    MEASURE("kernel_read", iters, c = 0; bad += sys2(SYS_BENCH, fd, &c) != 1 || c != 'x');
    kill(srv);
    if (bad)
        printf("TEST ipcbench: FAIL %d wrong answers\n", (int)bad);
    else
        printf("TEST ipcbench: PASS\n");
    fsync(stdout_fd);
    outl(0xF4, bad ? 1 : 0);
    return 0;
}
