/* init: starts the drivers init.rc names with their grants, then the shell (or the test the
 * kernel command line asks for), serves the initfs as the scheme initfs:, and reaps children. */
#include "mica.h"

static const char *tar;
static size_t tar_size;

struct entry { char kind[12], name[16], grants[320]; };
#define MAX_ENTRIES 32
static struct entry entries[MAX_ENTRIES];
static int nentries;

static const char *word(const char *s, char *out, size_t n) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t i = 0;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
        if (i + 1 < n)
            out[i++] = *s;
        s++;
    }
    out[i] = 0;
    return s;
}

static void parse_rc(void) {
    size_t len;
    const char *rc = tar_find(tar, tar_size, "init.rc", &len);
    if (!rc) {
        printf("[init] no init.rc\n");
        return;
    }
    for (const char *line = rc, *end = rc + len; line < end && nentries < MAX_ENTRIES;) {
        const char *nl = line;
        while (nl < end && *nl != '\n')
            nl++;
        char buf[128];
        size_t n = nl - line < 127 ? nl - line : 127;
        memcpy(buf, line, n);
        buf[n] = 0;
        line = nl + 1;
        struct entry *e = &entries[nentries];
        const char *s = word(buf, e->kind, sizeof e->kind);
        if (!e->kind[0] || e->kind[0] == '#')
            continue;
        s = word(s, e->name, sizeof e->name);
        while (*s == ' ')
            s++;
        snprintf(e->grants, sizeof e->grants, "%s", s);
        nentries++;
    }
}

/* Whether the grant text holds the word w (or, for "for=", any word starting so). */
static bool has_word(const char *text, const char *w) {
    char g[48];
    for (const char *s = word(text, g, sizeof g); g[0]; s = word(s, g, sizeof g))
        if (!strcmp(g, w) || (!strcmp(w, "for=") && !strncmp(g, "for=", 4)))
            return true;
    return false;
}

/* Starts NAME suspended, hands it the grants in the text, then lets it run. */
static int launch(const struct entry *e, const char *arg) {
    long pid = spawn(e->name, arg, SPAWN_SUSPENDED);
    if (pid < 0) {
        printf("[init] cannot start %s: %d\n", e->name, (int)pid);
        return -1;
    }
    char g[32];
    for (const char *s = word(e->grants, g, sizeof g); g[0]; s = word(s, g, sizeof g)) {
        long r = grant_apply(pid, g);
        if (r < 0)
            printf("[init] grant %s to %s failed: %d\n", g, e->name, (int)r);
    }
    start(pid);
    return pid;
}

/* initfs: a read-only scheme over the archive; "" lists it. */
static struct { const char *data; size_t size, off; bool used; } files[32];
static char listing[2048];

static long fs_open(const char *path) {
    const char *data;
    size_t len;
    if (!path[0] || !strcmp(path, "/")) {
        size_t off = 0, n = 0;
        const char *nm;
        while (tar_next(tar, tar_size, &off, &nm, &len) && n + 40 < sizeof listing)
            n += snprintf(listing + n, sizeof listing - n, "%s\n", nm);
        data = listing, len = n;
    } else if (!(data = tar_find(tar, tar_size, path[0] == '/' ? path + 1 : path, &len))) {
        return -ENOENT;
    }
    for (int h = 0; h < 32; h++)
        if (!files[h].used) {
            files[h].data = data, files[h].size = len, files[h].off = 0, files[h].used = true;
            return h;
        }
    return -EMFILE;
}

static void serve(void) {
    static char buf[IPC_MAX];
    struct msg m;
    int to = 0;
    unsigned rlen = 0;
    for (;;) {
        long r = ipc_reply_recv(to, &m, buf, rlen, IPC_MAX);
        to = 0, rlen = 0;
        if (r < 0)
            continue;
        if (m.from == 0) {
            int status, pid;
            while ((pid = wait(-1, &status, WAIT_NOHANG)) > 0)
                if (status)
                    printf("[init] process %d exited with status %x\n", pid, status);
            continue;
        }
        long h = m.w[1], res = -EBADF;
        bool ok = h >= 0 && h < 32 && files[h].used;
        switch (m.w[0]) {
        case SC_OPEN: buf[r < IPC_MAX ? r : IPC_MAX - 1] = 0; res = fs_open(buf); break;
        case SC_READ:
            if (ok) {
                size_t n = files[h].size - files[h].off;
                if (n > (size_t)m.w[2])
                    n = m.w[2];
                memcpy(buf, files[h].data + files[h].off, n);
                files[h].off += n;
                rlen = n, res = n;
            }
            break;
        case SC_FSTAT:
            if (ok) {
                struct mica_stat st = { files[h].size, files[h].data == listing ? MODE_DIR : MODE_FILE };
                memcpy(buf, &st, sizeof st);
                rlen = sizeof st, res = 0;
            }
            break;
        case SC_CLOSE: if (ok) files[h].used = false, res = 0; break;
        case SC_DUP:
            if (ok)
                for (int i = 0; i < 32; i++)
                    if (!files[i].used) {
                        files[i] = files[h];
                        res = i;
                        break;
                    }
            break;
        case SC_FSYNC: res = 0; break;
        default: res = -ENOSYS;
        }
        m.w[0] = res;
        to = m.from;
    }
}

int main(const char *cmdline, unsigned long initfs, unsigned long initfs_size) {
    tar = (const char *)initfs, tar_size = initfs_size;
    char test[32] = "";
    const char *t = cmdline;
    while ((t = strchr(t, 't')) && strncmp(t, "test=", 5))
        t++;
    if (t)
        word(t + 5, test, sizeof test);
    parse_rc();
    /* With a "supervisor" line, the supervisor starts the drivers (and restarts them): it gets
     * their grants and their lines as its argument. */
    static struct entry sup;
    static char list[256];
    for (int i = 0; i < nentries; i++)
        if (!strcmp(entries[i].kind, "supervisor"))
            sup = entries[i];
    for (int i = 0; i < nentries; i++)
        if (!strcmp(entries[i].kind, "driver")) {
            if (!sup.name[0]) {
                launch(&entries[i], "");
                continue;
            }
            size_t n = strlen(list), g = strlen(sup.grants);
            snprintf(list + n, sizeof list - n, "%s%s %s", n ? ";" : "", entries[i].name, entries[i].grants);
            snprintf(sup.grants + g, sizeof sup.grants - g, " %s", entries[i].grants);
        }
    if (sup.name[0])
        launch(&sup, list);
    for (int i = 0; i < 5000 && !stdio_open(); i++)
        sleep_ms(1);
    if (stdout_fd < 0)
        printf("[init] serial: never appeared\n");
    scheme_register("initfs");
    printf("mica: system ready\n");
    const char *want = test[0] ? "test" : "shell";
    /* "test PROG for=NAME" runs PROG for test=NAME; a test line without for= takes the rest */
    char tag[48];
    snprintf(tag, sizeof tag, "for=%s", test);
    int chosen = -1;
    for (int i = 0; i < nentries; i++)
        if (!strcmp(entries[i].kind, want) && (test[0] ? has_word(entries[i].grants, tag) : true))
            chosen = i;
    for (int i = 0; i < nentries && chosen < 0; i++)
        if (!strcmp(entries[i].kind, want) && !has_word(entries[i].grants, "for="))
            chosen = i;
    if (chosen >= 0)
        launch(&entries[chosen], test);
    serve();
    return 0;
}
