#include "mica.h"

/* The console contract of a test (DESIGN.md 7): "TEST NAME: PASS" or "TEST NAME: FAIL why" on the
 * console, then isa-debug-exit (port 0xF4, which init.rc grants test programs) with 0 for a pass. */
_Noreturn void test_result(const char *name, bool ok, const char *why) {
    stdio_reopen(5000);
    if (ok)
        printf("TEST %s: PASS\n", name);
    else
        printf("TEST %s: FAIL %s\n", name, why);
    fsync(stdout_fd);
    outl(0xF4, ok ? 0 : 1);
    exit(0);
}

/* The value after "name" (e.g. "kills=") in the kernel command line, or NULL. */
const char *cmdline_option(const char *name) {
    static char cmd[256];
    if (sys2(SYS_CMDLINE, cmd, sizeof cmd) < 0)
        return NULL;
    size_t n = strlen(name);
    for (const char *s = cmd; (s = strstr(s, name)); s += n)
        if (s == cmd || s[-1] == ' ')
            return s + n;
    return NULL;
}

long rs_command(const char *cmd, char *out, size_t cap) {
    char url[64];
    snprintf(url, sizeof url, "rs:%s", cmd);
    long fd = open(url);
    if (fd < 0)
        return fd;
    long n = out ? read(fd, out, cap - 1) : 0;
    if (out && n >= 0)
        out[n] = 0;
    close(fd);
    return n;
}

int rs_pid(const char *driver) {
    char cmd[32], out[32];
    snprintf(cmd, sizeof cmd, "pid %s", driver);
    return rs_command(cmd, out, sizeof out) > 0 ? (int)strtoul(out, NULL, 10) : 0;
}

bool rs_kill_and_wait(const char *driver) {
    char cmd[32], out[32];
    snprintf(cmd, sizeof cmd, "kill %s", driver);
    int old = 0;
    for (int i = 0; i < 2000 && !(old = rs_pid(driver)); i++)
        sleep_ms(1);
    if (!old || rs_command(cmd, out, sizeof out) < 0)
        return false;
    for (int i = 0; i < 5000; i++) {
        int now = rs_pid(driver);
        if (now && now != old)
            return true;
        sleep_ms(1);
    }
    return false;
}
