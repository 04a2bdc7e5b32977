/* disktest: test=disk. Through disk: (blkd) it checks sectors the host filled ("sector N" at the
 * start of sector N, for the first 8), writes "mica N" into the last 8 sectors, flushes, and reads
 * them back; the host then finds those bytes in the image file. */
#include "mica.h"

static _Noreturn void finish(bool ok, const char *why) { test_result("disk", ok, why); }

static char buf[2048], why[96];

int main(const char *arg, unsigned long a2, unsigned long a3) {
    long fd = -1;
    for (int i = 0; i < 5000 && (fd = open("disk:")) < 0; i++)
        sleep_ms(1);
    if (fd < 0)
        finish(false, "no disk:");
    struct mica_stat st;
    if (fstat(fd, &st) < 0 || st.size < 64 * 512)
        finish(false, "fstat");
    for (int part = 0; part < 2; part++) {
        if (seek(fd, part * 2048) != part * 2048 || read(fd, buf, 2048) != 2048)
            finish(false, "read of the first sectors");
        for (int s = 0; s < 4; s++) {
            char want[16];
            int n = snprintf(want, sizeof want, "sector %d", part * 4 + s);
            if (memcmp(buf + 512 * s, want, n)) {
                snprintf(why, sizeof why, "sector %d does not start with '%s'", part * 4 + s, want);
                finish(false, why);
            }
        }
    }
    unsigned long last = st.size - 8 * 512;
    for (int part = 0; part < 2; part++) {
        memset(buf, 0, sizeof buf);
        for (int s = 0; s < 4; s++)
            snprintf(buf + 512 * s, 512, "mica %d", part * 4 + s);
        if (seek(fd, last + part * 2048) < 0 || write(fd, buf, 2048) != 2048)
            finish(false, "write");
    }
    if (fsync(fd) < 0)
        finish(false, "flush");
    if (seek(fd, last) < 0 || read(fd, buf, 2048) != 2048 || strcmp(buf + 512, "mica 1"))
        finish(false, "read back");
    if (read(fd, buf, 100) != -EINVAL || seek(fd, 3) != -EINVAL)
        finish(false, "unaligned requests are not refused");
    finish(true, "");
}
