/* kbdtest: test=keyboard. Reads lines from input: (ps2d) and prints each; passes when one equals
 * the expected word ("expect=WORD" on the command line, "mica" by default). The keys come from
 * outside: QEMU's monitor "sendkey", or the emulator's input API. */
#include "mica.h"

static _Noreturn void finish(bool ok, const char *why) { test_result("keyboard", ok, why); }

int main(const char *arg, unsigned long a2, unsigned long a3) {
    char cmd[256], expect[32] = "mica";
    if (sys2(SYS_CMDLINE, cmd, sizeof cmd) >= 0) {
        const char *s = cmd;
        while ((s = strchr(s, 'e')) && strncmp(s, "expect=", 7))
            s++;
        if (s) {
            size_t i = 0;
            for (s += 7; *s && *s != ' ' && i + 1 < sizeof expect; s++)
                expect[i++] = *s;
            expect[i] = 0;
        }
    }
    long fd = -1;
    for (int i = 0; i < 5000 && (fd = open("input:")) < 0; i++)
        sleep_ms(1);
    if (fd < 0)
        finish(false, "no input:");
    printf("keyboard: type %s and Enter\n", expect);
    char line[64];
    size_t len = 0;
    for (int lines = 0; lines < 50;) {
        char buf[32];
        long n = read(fd, buf, sizeof buf);
        if (n <= 0)
            finish(false, "input: read failed");
        for (long i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                if (len + 1 < sizeof line)
                    line[len++] = buf[i];
                continue;
            }
            line[len] = 0;
            printf("keyboard: got '%s'\n", line);
            if (!strcmp(line, expect))
                finish(true, "");
            len = 0, lines++;
        }
    }
    finish(false, "never got the expected line");
}
