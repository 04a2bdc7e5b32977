/* rs: the driver supervisor, after MINIX's reincarnation server. init hands it the drivers'
 * init.rc lines ("NAME grants;NAME grants;...") and their grants; rs starts each driver as its
 * own child, so the kernel tells it (NOTE_CHILD) when one dies. A dead driver is started again
 * with the same grants after a back-off that doubles while it keeps dying young (10 ms up to
 * 1 s), and given up after too many young deaths in a row. The scheme rs: takes commands as the
 * path of an open ("rs:list", "rs:restart uartd", "rs:stop NAME", "rs:start NAME", "rs:kill
 * NAME" = a simulated crash); reading the file returns what the command printed. */
#include "mica.h"

#define NOTE_TICK 1ul
#define YOUNG_NS 200000000l    /* dying sooner than this after a start counts as a crash loop */
#define MAX_YOUNG 8
enum { D_RUNNING, D_WAITING, D_STOPPED, D_FAILED };
static const char *const state_names[] = { "running", "restarting", "stopped", "failed" };

struct driver {
    char name[16], grants[160];
    int pid, state, restarts, young;
    bool injected;   /* killed by "rs:kill": a test's fault, not a crash loop */
    long started_ns, due_ns, backoff_ms;
};
static struct driver drivers[8];
static int ndrivers;
static int main_tid, ticker_tid;

/* rs must never wait for serial: (it may be the one to restart uartd): a line that cannot go
 * there goes to the kernel log. */
static void say(const char *fmt, ...) {
    char b[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (stdout_fd < 0)
        stdio_open();
    if (stdout_fd >= 0 && write(stdout_fd, b, strlen(b)) < 0) {
        close(stdout_fd);
        stdout_fd = -1;
    }
    if (stdout_fd < 0)
        sys1(SYS_KLOG, b);
}

static const char *word(const char *s, char *out, size_t n) {
    while (*s == ' ')
        s++;
    size_t i = 0;
    while (*s && *s != ' ' && *s != ';') {
        if (i + 1 < n)
            out[i++] = *s;
        s++;
    }
    out[i] = 0;
    return s;
}

static long launch(struct driver *d) {
    long pid = spawn(d->name, "", SPAWN_SUSPENDED);
    if (pid < 0)
        return pid;
    char g[40];
    for (const char *s = word(d->grants, g, sizeof g); g[0]; s = word(s, g, sizeof g)) {
        long r;
        if (!strncmp(g, "pci=", 4)) {   /* pcid passes on the device's BARs and IRQ */
            char url[64];
            snprintf(url, sizeof url, "pci:grant %s %d", g + 4, (int)pid);
            r = -ENODEV;
            for (int i = 0; i < 3000 && r < 0; i++)
                if ((r = open(url)) >= 0)
                    close(r);
                else if (r == -ENODEV)
                    sleep_ms(1);
                else
                    break;
        } else {
            r = grant_apply(pid, g);
        }
        if (r < 0 && !(r == -ENOENT && !strncmp(g, "pci=", 4)))   /* no such device: its driver says so */
            say("[rs] grant %s to %s failed: %d\n", g, d->name, (int)r);
    }
    d->pid = pid;
    d->state = D_RUNNING;
    d->started_ns = clock_ns();
    start(pid);
    return pid;
}

static struct driver *find(const char *name) {
    for (int i = 0; i < ndrivers; i++)
        if (!strcmp(drivers[i].name, name))
            return &drivers[i];
    return NULL;
}

/* A child died: schedule its restart unless it was stopped on purpose. */
static void reap(void) {
    int status, pid;
    while ((pid = wait(-1, &status, WAIT_NOHANG)) > 0)
        for (int i = 0; i < ndrivers; i++) {
            struct driver *d = &drivers[i];
            if (d->pid != pid)
                continue;
            d->pid = 0;
            if (d->state != D_RUNNING)
                break;
            long now = clock_ns();
            if (d->injected) {
                d->injected = false;
            } else if (now - d->started_ns < YOUNG_NS) {
                d->young++;
                d->backoff_ms = d->backoff_ms ? (d->backoff_ms * 2 > 1000 ? 1000 : d->backoff_ms * 2) : 10;
            } else {
                d->young = 0;
                d->backoff_ms = 0;
            }
            if (d->young > MAX_YOUNG) {
                d->state = D_FAILED;
                say("[rs] %s died %d times in a row, giving up\n", d->name, d->young);
                break;
            }
            d->state = D_WAITING;
            d->due_ns = now + d->backoff_ms * 1000000l;
            notify(ticker_tid, NOTE_TICK);
        }
}

static void restart_due(void) {
    long now = clock_ns();
    for (int i = 0; i < ndrivers; i++) {
        struct driver *d = &drivers[i];
        if (d->state != D_WAITING || now < d->due_ns)
            continue;
        if (launch(d) < 0) {
            d->state = D_FAILED;
            say("[rs] cannot restart %s\n", d->name);
            continue;
        }
        d->restarts++;
        say("[rs] restarted %s\n", d->name);
    }
}

static bool restart_pending(void) {
    for (int i = 0; i < ndrivers; i++)
        if (drivers[i].state == D_WAITING)
            return true;
    return false;
}

/* Ticks main every 5 ms while a restart waits out its back-off; otherwise it blocks until reap()
 * wakes it, so an idle system has no timer running (the kernel stops its tick in idle). A wake that
 * races with the check stays pending in the notification bits. */
static void ticker(void *arg) {
    struct msg m;
    for (;;) {
        if (!restart_pending()) {
            ipc_recv(&m, NULL, 0);
            continue;
        }
        sleep_ms(5);
        notify(main_tid, NOTE_TICK);
    }
}

/* Stops d and waits for it to be gone. */
static void stop(struct driver *d) {
    int status;
    d->state = D_STOPPED;
    if (d->pid > 0 && kill(d->pid) == 0)
        wait(d->pid, &status, 0);
    d->pid = 0;
}

static char out[IPC_MAX];

static long command(char *cmd) {
    char verb[16], name[16];
    const char *s = word(cmd, verb, sizeof verb);
    word(s, name, sizeof name);
    struct driver *d = find(name);
    size_t n = 0;
    if (!strcmp(verb, "list") || !verb[0]) {
        for (int i = 0; i < ndrivers; i++)
            n += snprintf(out + n, sizeof out - n, "%-8s pid %-6d %-10s restarts %d\n", drivers[i].name,
                          drivers[i].pid, state_names[drivers[i].state], drivers[i].restarts);
        return n;
    }
    if (!d)
        return -ENOENT;
    if (!strcmp(verb, "stop")) {
        stop(d);
        n = snprintf(out, sizeof out, "[rs] stopped %s\n", d->name);
    } else if (!strcmp(verb, "start") || !strcmp(verb, "restart")) {
        if (!strcmp(verb, "start") && d->state == D_RUNNING)
            return -EBUSY;
        stop(d);
        d->young = 0, d->backoff_ms = 0;
        if (launch(d) < 0)
            return -EIO;
        if (verb[2] == 's')
            d->restarts++;
        n = snprintf(out, sizeof out, "[rs] %sed %s (pid %d)\n", verb, d->name, d->pid);
    } else if (!strcmp(verb, "kill")) {   /* a simulated crash: supervised as one */
        if (d->state != D_RUNNING || kill(d->pid) < 0)
            return -ESRCH;
        d->injected = true;
        n = snprintf(out, sizeof out, "killed %d\n", d->pid);
    } else if (!strcmp(verb, "pid")) {
        n = snprintf(out, sizeof out, "%d\n", d->state == D_RUNNING ? d->pid : 0);
    } else {
        return -EINVAL;
    }
    return n;
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    main_tid = gettid();
    for (const char *s = arg; *s && ndrivers < 8;) {
        struct driver *d = &drivers[ndrivers];
        s = word(s, d->name, sizeof d->name);
        const char *e = strchr(s, ';');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len >= sizeof d->grants)
            len = sizeof d->grants - 1;
        memcpy(d->grants, s, len);
        d->grants[len] = 0;
        s += len + (e ? 1 : 0);
        if (d->name[0])
            ndrivers++;
    }
    scheme_register("rs");   /* first: a client asking while the drivers start waits, not -ENOENT */
    for (int i = 0; i < ndrivers; i++)
        if (launch(&drivers[i]) < 0) {
            drivers[i].state = D_FAILED;
            say("[rs] cannot start %s\n", drivers[i].name);
        }
    ticker_tid = thread_create(ticker, NULL);
    static char buf[256];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    size_t outlen = 0, outoff = 0;
    for (;;) {
        long r = ipc_reply_recv(to, &m, buf, rlen, sizeof buf - 1);
        to = 0, rlen = 0;
        if (r < 0)
            continue;
        if (m.from == 0) {
            if (m.w[0] & NOTE_CHILD)
                reap();
            restart_due();
            continue;
        }
        long res = 0;
        switch (m.w[0]) {
        case SC_OPEN: {
            char cmd[256];
            memcpy(cmd, buf, r < 255 ? r : 255);
            cmd[r < 255 ? r : 255] = 0;
            long n = command(cmd);
            reap();
            res = n < 0 ? n : 1;
            outlen = n < 0 ? 0 : n, outoff = 0;
            break;
        }
        case SC_READ: {
            size_t n = outlen - outoff;
            if (n > (size_t)m.w[2])
                n = m.w[2];
            m.w[0] = n;
            ipc_reply(m.from, &m, out + outoff, n);
            outoff += n;
            continue;
        }
        case SC_CLOSE: case SC_FSYNC: res = 0; break;
        case SC_DUP: res = 1; break;
        default: res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}
