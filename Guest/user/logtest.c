/* logtest: test=fslog [kills=N] [target=blkd|ext2fs|both]. MINIX-style fault injection: a writer
 * thread appends numbered 32-byte records to file:/log.txt, each acknowledged once write and fsync
 * returned; meanwhile the main thread has rs kill the target driver(s) N times at random points.
 * When a write or fsync fails (its server died), the writer reopens the file and looks at its end:
 * the record is either all there (the change was made; it counts as acknowledged) or not at all
 * (it is written again); anything else fails the test. The host then checks that every
 * acknowledged record is in the file, in order, and that e2fsck finds the file system clean. */
#include "mica.h"

#define RECORD 32

static volatile bool stop_writing, writer_done, writer_failed;
static volatile long acked, retried;
static uint64_t seed;
static char failure[96];

static unsigned rnd(unsigned n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
}

static long open_log(long flags) {
    for (int i = 0; i < 30000; i++) {
        long fd = open_flags("file:/log.txt", flags);
        if (fd >= 0 || (fd != -ENODEV && fd != -EPIPE && fd != -ESRCH && fd != -EIO))
            return fd;
        sleep_ms(1);
    }
    return -EIO;
}

static void fail(const char *what, long seq, long r) {
    snprintf(failure, sizeof failure, "%s at record %ld (%d)", what, seq, (int)r);
    writer_failed = true;
}

/* After an error: is record seq at the end of the file (true), absent (false), or neither (fail)? */
static int landed(long seq, const char *rec) {
    char tail[RECORD];
    for (;;) {
        long fd = open_log(0);
        if (fd < 0)
            return fail("reopen", seq, fd), -1;
        struct mica_stat st;
        long r = fstat(fd, &st);
        if (r == 0 && st.size == (unsigned long)seq * RECORD) {
            close(fd);
            return 0;
        }
        if (r == 0 && st.size == (unsigned long)(seq + 1) * RECORD) {
            r = seek(fd, seq * RECORD);
            if (r >= 0)
                r = read(fd, tail, RECORD);
            close(fd);
            if (r == RECORD)
                return memcmp(tail, rec, RECORD) ? (fail("a different record at the end", seq, 0), -1) : 1;
        } else {
            close(fd);
            if (r == 0)
                return fail("the file has a partial record", seq, st.size), -1;
        }
        if (r != -EPIPE && r != -EIO && r != -ESRCH)
            return fail("checking the end", seq, r), -1;
    }
}

static void writer(void *arg) {
    char rec[RECORD + 1];
    long fd = open_log(OPEN_APPEND);
    for (long seq = 0; !stop_writing && !writer_failed; seq++) {
        snprintf(rec, sizeof rec, "record %08ld of the mica log..", seq);
        rec[RECORD - 1] = '\n';
        for (;;) {
            if (fd >= 0 && write(fd, rec, RECORD) == RECORD && fsync(fd) == 0)
                break;
            retried++;
            if (fd >= 0)
                close(fd);
            int l = landed(seq, rec);
            if (l < 0) {
                writer_done = true;
                return;
            }
            fd = open_log(OPEN_APPEND);
            if (l == 1)
                break;
        }
        acked = seq + 1;
    }
    writer_done = true;
}

static _Noreturn void finish(bool ok, const char *why) { test_result("fslog", ok, why); }

int main(const char *arg, unsigned long a2, unsigned long a3) {
    const char *k = cmdline_option("kills="), *t = cmdline_option("target=");
    long kills = k ? strtoul(k, NULL, 0) : 20;
    char target[16] = "both";
    if (t) {
        size_t i = 0;
        while (t[i] && t[i] != ' ' && i < sizeof target - 1)
            target[i] = t[i], i++;
        target[i] = 0;
    }
    seed = rdtsc();
    long fd = open_log(OPEN_CREATE | OPEN_TRUNC);
    if (fd < 0)
        finish(false, "cannot create file:/log.txt");
    close(fd);
    thread_create(writer, NULL);
    long done = 0, of_blkd = 0, of_fs = 0;
    for (; done < kills && !writer_failed; done++) {
        sleep_ms(1 + rnd(10));   /* a random point in the writer's stream */
        bool blkd = !strcmp(target, "blkd") || (!strcmp(target, "both") && rnd(2));
        if (!rs_kill_and_wait(blkd ? "blkd" : "ext2fs"))
            break;
        of_blkd += blkd, of_fs += !blkd;
    }
    /* the writer must get on after the last restart: one more record acknowledged (so a run never passes
     * having acknowledged nothing, however fast the kills came) */
    long before = acked;
    for (int i = 0; i < 30000 && acked == before && !writer_failed; i++)
        sleep_ms(1);
    stop_writing = true;
    for (int i = 0; i < 30000 && !writer_done; i++)
        sleep_ms(1);
    stdio_reopen(5000);
    printf("fslog: %ld kills (blkd %ld, ext2fs %ld); %ld records acknowledged, %ld writes retried\n", done, of_blkd, of_fs,
           (long)acked, (long)retried);
    if (writer_failed)
        finish(false, failure);
    if (done < kills)
        finish(false, "a driver was not restarted");
    if (!writer_done || acked == before)
        finish(false, "the writer is stuck");
    finish(true, "");
}
