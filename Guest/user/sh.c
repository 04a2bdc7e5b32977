/* sh: a line shell on serial:. */
#include "mica.h"

static int in = -1;

static char pending[64];   /* read but not yet used: a burst may hold several lines */
static long npending, used;

/* Input comes from serial: and input: (the keyboard): a thread reads each and hands what it got
 * to the main thread by IPC; a reader whose driver died opens its scheme again. */
static int main_tid;

static void reader(void *url) {
    static char bufs[2][64];
    char *buf = bufs[strcmp(url, "serial:") != 0];
    long fd = -1;
    for (;;) {
        if (fd < 0 && (fd = open(url)) < 0) {
            sleep_ms(20);
            continue;
        }
        long n = read(fd, buf, 64);
        if (n <= 0) {
            close(fd);
            fd = -1;
            continue;
        }
        struct msg m = { { n } };
        ipc_call(main_tid, &m, buf, n, 0);
    }
}

static long next_input(char *buf, long cap) {
    for (;;) {
        struct msg m;
        long r = ipc_recv(&m, buf, cap);
        if (r < 0 || m.from == 0)
            continue;   /* a notification (a child exited) */
        struct msg ok = { { 0 } };
        ipc_reply(m.from, &ok, NULL, 0);
        return r;
    }
}

static int getline(char *line, int n) {
    int len = 0;
    for (;;) {
        if (used == npending) {
            npending = next_input(pending, sizeof pending);
            used = 0;
            if (npending <= 0)
                return -1;
        }
        while (used < npending) {
            char c = pending[used++];
            if (c == '\r' || c == '\n') {
                printf("\n");
                line[len] = 0;
                return len;
            } else if ((c == 8 || c == 127) && len) {
                len--;
                printf("\b \b");
            } else if (c >= ' ' && len + 1 < n) {
                line[len++] = c;
                printf("%c", c);
            }
        }
    }
}

static void cat(const char *path) {
    char url[80];
    snprintf(url, sizeof url, "initfs:%s", path);
    long fd = open(url);
    if (fd < 0) {
        printf("%s: not found (%d)\n", path, (int)fd);
        return;
    }
    char buf[513];
    long n;
    while ((n = read(fd, buf, sizeof buf - 1)) > 0) {
        buf[n] = 0;
        puts_raw(buf);   /* serial: and the display, as everything the shell prints */
    }
    close(fd);
}

/* ---- the disk's files (file:, served by ext2fs): ls /DIR, cat /FILE, write, rm, mkdir ---- */

/* Opens PATH on file:, waiting a little for the file system server to come up (after a boot or a restart). */
static long fs_open(const char *path, long flags) {
    char url[96];
    snprintf(url, sizeof url, "file:%s%s", path[0] == '/' ? "" : "/", path);
    long fd = open_flags(url, flags);
    for (int i = 0; i < 3000 && (fd == -ENODEV || fd == -EPIPE); i++) {
        sleep_ms(1);
        fd = open_flags(url, flags);
    }
    return fd;
}

static void fs_show(const char *path) {
    char buf[512];
    long fd = fs_open(path, 0), n;
    if (fd < 0) {
        printf("%s: cannot open (%d)\n", path, (int)fd);
        return;
    }
    while ((n = read(fd, buf, sizeof buf)) > 0)
        write(stdout_fd, buf, n);
    if (n < 0)
        printf("%s: read error (%d)\n", path, (int)n);
    close(fd);
}

/* write FILE TEXT: FILE holds TEXT and a newline afterwards. */
static void fs_write(char *args) {
    char *text = strchr(args, ' ');
    if (text)
        *text++ = 0;
    long fd = fs_open(args, OPEN_CREATE | OPEN_TRUNC);
    if (fd < 0) {
        printf("write: %s: cannot open (%d)\n", args, (int)fd);
        return;
    }
    size_t n = text ? strlen(text) : 0;
    if ((text && write(fd, text, n) != (long)n) || write(fd, "\n", 1) != 1 || fsync(fd) < 0)
        printf("write: %s: write error\n", args);
    close(fd);
}

static void fs_op(const char *verb, const char *path, long flags) {
    long fd = fs_open(path, flags);
    if (fd < 0)
        printf("%s: %s: %s (%d)\n", verb, path, fd == -EEXIST ? "exists or not empty" : fd == -ENOENT ? "not found" : "failed", (int)fd);
    else
        close(fd);
}

/* The file commands; false when the line is none of them (ls and cat without a leading / are the initfs's). */
static bool fs_command(const char *cmd, char *rest) {
    if ((!strcmp(cmd, "ls") || !strcmp(cmd, "cat")) && rest[0] == '/')
        fs_show(rest);
    else if (!strcmp(cmd, "write") && rest[0])
        fs_write(rest);
    else if (!strcmp(cmd, "rm") && rest[0])
        fs_op("rm", rest, OPEN_UNLINK);
    else if (!strcmp(cmd, "mkdir") && rest[0])
        fs_op("mkdir", rest, OPEN_MKDIR);
    else
        return false;
    return true;
}

static void ps(void) {
    static const char *const states[] = { "?", "run", "blocked", "zombie" };
    struct procinfo pi;
    printf("  PID PARENT PRIO STATE    CPU(ms) NAME\n");
    for (long i = 0; (i = sys2(SYS_PROCINFO, i, &pi)) > 0;)
        printf("%5d %6d %4d %-8s %7lu %s\n", pi.pid, pi.parent, pi.prio, states[pi.state], pi.cpu_ticks, pi.name);
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    in = stdout_fd;
    if (in < 0)
        return 1;
    main_tid = gettid();
    console_mirror = true;
    thread_create(reader, "serial:");
    thread_create(reader, "input:");
    /* fbd comes up just after the shell: wait for it (briefly) so the first prompt reaches the display too */
    for (int i = 0; i < 1000; i++) {
        long d = open("display:");
        if (d >= 0) {
            close(d);
            break;
        }
        sleep_ms(1);
    }
    printf("mica shell: type help\n");
    char line[128];
    for (;;) {
        printf("mica> ");
        if (getline(line, sizeof line) < 0) {   /* serial: went away: wait for its restart */
            if (!stdio_reopen(5000))
                return 1;
            in = stdout_fd;
            continue;
        }
        char *rest = strchr(line, ' ');
        if (rest)
            *rest++ = 0;
        else
            rest = "";
        if (!line[0] || fs_command(line, rest))
            continue;
        if (!strcmp(line, "help"))
            printf("help, ps, echo TEXT, ls, cat FILE, uptime, run PROGRAM [ARG], drvctl help|list|restart|stop|start NAME, poweroff\n"
                   "disk files: ls /DIR, cat /FILE, write FILE TEXT, rm FILE, mkdir DIR\n");
        else if (!strcmp(line, "echo"))
            printf("%s\n", rest);
        else if (!strcmp(line, "ls"))
            cat("");
        else if (!strcmp(line, "cat"))
            cat(rest);
        else if (!strcmp(line, "ps"))
            ps();
        else if (!strcmp(line, "uptime")) {
            long ms = clock_ns() / 1000000;
            printf("up %ld.%03ld s\n", ms / 1000, ms % 1000);
        } else if (!strcmp(line, "poweroff")) {
            printf("mica: power off\n");
            fsync(stdout_fd);
            outl(0xF4, 0);   /* isa-debug-exit, granted by init.rc; elsewhere this faults */
            return 0;
        } else if (!strcmp(line, "run")) {
            char *arg = strchr(rest, ' ');
            if (arg)
                *arg++ = 0;
            long pid = spawn(rest, arg ? arg : "", 0);
            int status = 0;
            if (pid < 0)
                printf("run: %s: not found\n", rest);
            else if (wait(pid, &status, 0) > 0 && status)
                printf("[%ld exited with status %x]\n", pid, status);
        } else {   /* a program in the initfs, e.g. drvctl */
            long pid = spawn(line, rest, 0);
            int status = 0;
            if (pid < 0)
                printf("%s: unknown command (try help)\n", line);
            else if (wait(pid, &status, 0) > 0 && status)
                printf("[%ld exited with status %x]\n", pid, status);
        }
    }
}
