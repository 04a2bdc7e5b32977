/* diskbench: test=diskbench case=NAME ops=N. 4 KiB reads or writes, sequential or at random
 * 4 KiB-aligned places, through disk: (raw sectors past the end of the file system) or file:
 * (/bench.bin, 4 MiB, made before the timing starts). Cases: disk_seq_read, disk_seq_write,
 * disk_rand_read, disk_rand_write, file_seq_read, file_seq_write, file_rand_read, file_rand_write.
 * Prints "BENCH case ops=N ns/op=X [instr/op=Y]": guest time (the virtual clock on emu in
 * deterministic mode); Benchmarks/Disk differences two op counts to get host time per op.
 * The disk: region is [fs size, disk size): make the image larger than the file system
 * (mke2fs IMAGE SIZE with SIZE below the file's length). */
#include "mica.h"

#define OP 4096
#define FILE_BYTES (4ul << 20)

static uint64_t seed = 12345;
static char buf[OP];

static unsigned rnd(unsigned n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
}

static _Noreturn void finish(bool ok, const char *why) { test_result("diskbench", ok, why); }

static long wait_open(const char *url, long flags) {
    long fd = -1;
    for (int i = 0; i < 20000 && (fd = open_flags(url, flags)) < 0; i++)
        sleep_ms(1);
    return fd;
}

/* One 4 KiB transfer at off: two 2 KiB requests (an IPC payload is at most 2 KiB). */
static bool transfer(long fd, unsigned long off, bool wr) {
    if (seek(fd, off) < 0)
        return false;
    for (int half = 0; half < 2; half++)
        if ((wr ? write(fd, buf + half * 2048, 2048) : read(fd, buf + half * 2048, 2048)) != 2048)
            return false;
    return true;
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    char name[32] = "disk_seq_read";
    const char *c = cmdline_option("case="), *o = cmdline_option("ops=");
    if (c) {
        size_t i = 0;
        while (c[i] && c[i] != ' ' && i < sizeof name - 1)
            name[i] = c[i], i++;
        name[i] = 0;
    }
    long ops = o ? strtoul(o, NULL, 0) : 256;
    bool file = !strncmp(name, "file_", 5), random = strstr(name, "_rand_"), wr = strstr(name, "_write");
    unsigned long base = 0, span = FILE_BYTES;
    long fd;
    if (file) {
        fd = wait_open("file:/bench.bin", OPEN_CREATE);
        struct mica_stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
            finish(false, "no file:/bench.bin");
        memset(buf, 'b', sizeof buf);
        for (unsigned long at = st.size; at < FILE_BYTES; at += OP)
            if (!transfer(fd, at, true))
                finish(false, "making bench.bin");
    } else {
        long fs = wait_open("file:/", 0);   /* the file system's size, from its server: not there, the whole disk */
        fd = wait_open("disk:", 0);
        struct mica_stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
            finish(false, "no disk:");
        static char sbuf[2048];
        long d = fs >= 0 ? open("disk:") : -1;
        if (d >= 0 && seek(d, 1024) == 1024 && read(d, sbuf, 2048) == 2048 && *(uint16_t *)(sbuf + 56) == 0xEF53)
            base = (unsigned long)*(uint32_t *)(sbuf + 4) * (1024ul << *(uint32_t *)(sbuf + 24));
        if (d >= 0)
            close(d);
        base = (base + OP - 1) & ~(OP - 1ul);
        if (st.size < base + OP * 16)
            finish(false, "no room on the disk past the file system");
        span = (st.size - base) & ~(OP - 1ul);
    }
    bool pmc = pmc_available();
    uint64_t i0 = pmc ? pmc_instructions() : 0;
    long t0 = clock_ns();
    for (long i = 0; i < ops; i++) {
        unsigned long off = random ? (unsigned long)rnd(span / OP) * OP : (unsigned long)(i * OP) % span;
        if (wr)
            memset(buf, (int)i, 16);
        if (!transfer(fd, base + off, wr))
            finish(false, "a transfer failed");
    }
    long ns = clock_ns() - t0;
    uint64_t insns = pmc ? pmc_instructions() - i0 : 0;
    if (pmc)
        printf("BENCH %s ops=%ld ns/op=%ld instr/op=%lu\n", name, ops, ns / (ops ? ops : 1), (unsigned long)(insns / (ops ? ops : 1)));
    else
        printf("BENCH %s ops=%ld ns/op=%ld\n", name, ops, ns / (ops ? ops : 1));
    finish(true, "");
}
