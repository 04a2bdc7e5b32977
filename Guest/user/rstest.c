/* rstest: test=restart. A writer thread streams numbered lines "<SEQ n>" to serial:, each one
 * confirmed by fsync (uartd answers it once the last byte has left the UART). Meanwhile the
 * main thread has the supervisor kill uartd KILLS times at random points, then every other
 * driver a few times. A line whose write or fsync failed (its driver died) is counted as told
 * and sent again once serial: is back: lines may repeat, none may go missing; the host checks
 * that on COM1. "kills=N" on the command line changes the count. */
#include "mica.h"

static volatile bool stop_writing, writer_done;
static volatile long lines_sent, lines_told;
static uint64_t seed;

static unsigned rnd(unsigned n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
}

static long open_serial(void) {
    for (int i = 0; i < 5000; i++) {
        long fd = open("serial:");
        if (fd >= 0)
            return fd;
        sleep_ms(1);
    }
    return -1;
}

static void writer(void *arg) {
    long fd = open_serial();
    char line[32];
    for (long seq = 0; !stop_writing; seq++) {
        int n = snprintf(line, sizeof line, "<SEQ %ld>\n", seq);
        while (fd < 0 || write(fd, line, n) != n || fsync(fd) != 0) {
            lines_told++;   /* this line may be lost: send it again */
            if (fd >= 0)
                close(fd);
            fd = open_serial();
            if (fd < 0)
                break;
        }
        lines_sent = seq + 1;
        sleep_ms(1);   /* a steady stream, not a flood of COM1 */
    }
    writer_done = true;
}

static _Noreturn void finish(bool ok, const char *why) { test_result("restart", ok, why); }

int main(const char *arg, unsigned long a2, unsigned long a3) {
    char cmd[256];
    long kills = 100;
    if (sys2(SYS_CMDLINE, cmd, sizeof cmd) >= 0) {
        const char *s = strchr(cmd, 'k');
        while (s && strncmp(s, "kills=", 6))
            s = strchr(s + 1, 'k');
        if (s)
            kills = strtoul(s + 6, NULL, 0);
    }
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    seed = (uint64_t)hi << 32 | lo;
    thread_create(writer, NULL);
    long done = 0;
    for (; done < kills; done++) {
        sleep_ms(1 + rnd(20));   /* a random point in the writer's stream */
        if (!rs_kill_and_wait("uartd"))
            break;
    }
    /* every other driver rs supervises, three times each */
    static char list[1024];
    char failed[64] = "";
    int others = 0;
    if (rs_command("list", list, sizeof list) > 0)
        for (char *l = list; *l;) {
            char name[16];
            size_t i = 0;
            while (l[i] && l[i] != ' ' && i < 15)
                name[i] = l[i], i++;
            name[i] = 0;
            if (strcmp(name, "uartd"))
                for (int k = 0; k < 3; k++) {
                    if (!rs_kill_and_wait(name)) {
                        snprintf(failed, sizeof failed, "%s was not restarted", name);
                        break;
                    }
                    others++;
                }
            char *nl = strchr(l, '\n');
            if (!nl)
                break;
            l = nl + 1;
        }
    sleep_ms(20);
    stop_writing = true;
    for (int i = 0; i < 5000 && !writer_done; i++)
        sleep_ms(1);
    stdio_reopen(5000);
    rs_command("list", list, sizeof list);
    printf("%s", list);
    printf("restart: uartd killed %d times, other drivers %d times; %d lines sent, %d resent after an error\n",
           (int)done, others, (int)lines_sent, (int)lines_told);
    if (done < kills)
        finish(false, "uartd was not restarted");
    if (failed[0])
        finish(false, failed);
    if (!writer_done)
        finish(false, "the writer is stuck");
    finish(true, "");
}
