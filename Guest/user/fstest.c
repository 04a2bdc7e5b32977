/* fstest: test=fs. Through file: (ext2fs on blkd) it reads what the host put in the image with
 * mke2fs -d (/hello.txt, /big.bin), then creates, appends, truncates, removes files and makes and
 * removes directories under /mica; the host checks the result with e2fsck and debugfs. */
#include "mica.h"

static char why[128];
static unsigned char buf[2048];

static _Noreturn void finish(bool ok, const char *why) { test_result("fs", ok, why); }

static void check(bool ok, const char *what) {
    if (!ok) {
        snprintf(why, sizeof why, "%s", what);
        finish(false, why);
    }
}

/* The pattern of big files: byte i of the file. */
static unsigned char pattern(unsigned long i) { return (unsigned char)(i * 7 + i / 1024); }

static long put(const char *url, long flags, const void *data, size_t n) {
    long fd = open_flags(url, flags);
    if (fd < 0)
        return fd;
    long r = write(fd, data, n);
    close(fd);
    return r;
}

int main(const char *arg, unsigned long a2, unsigned long a3) {
    long fd = -1;
    for (int i = 0; i < 10000 && (fd = open("file:/hello.txt")) < 0; i++)
        sleep_ms(1);
    check(fd >= 0, "no file:/hello.txt");
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    check(!strcmp((char *)buf, "hello from the host\n"), "hello.txt does not hold what the host wrote");

    fd = open("file:/big.bin");
    struct mica_stat st;
    check(fd >= 0 && fstat(fd, &st) == 0 && st.size == 300 * 1024, "big.bin: open or size");
    for (unsigned long at = 0; at < st.size;) {
        n = read(fd, buf, sizeof buf);
        check(n > 0, "big.bin: short read");
        for (long i = 0; i < n; i++)
            if (buf[i] != pattern(at + i)) {
                snprintf(why, sizeof why, "big.bin: byte %lu differs", at + i);
                finish(false, why);
            }
        at += n;
    }
    close(fd);

    fd = open("file:/");
    n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    printf("fstest: / holds:\n%s", (char *)buf);
    check(strstr((char *)buf, "hello.txt\n"), "listing of / lacks hello.txt");

    check(open_flags("file:/mica", OPEN_MKDIR) >= 0, "mkdir /mica");
    check(put("file:/mica/a.txt", OPEN_CREATE, "first line\n", 11) == 11, "create a.txt");
    check(put("file:/mica/a.txt", OPEN_APPEND, "second line\n", 12) == 12, "append to a.txt");
    check(put("file:/mica/trunc.txt", OPEN_CREATE, "xxxxxxxxxxxxxxxx", 16) == 16, "create trunc.txt");
    check(put("file:/mica/trunc.txt", OPEN_TRUNC, "short\n", 6) == 6, "truncate trunc.txt");
    check(put("file:/mica/gone.txt", OPEN_CREATE, "gone\n", 5) == 5, "create gone.txt");
    fd = open_flags("file:/mica/gone.txt", OPEN_UNLINK);
    check(fd >= 0, "unlink gone.txt");
    close(fd);
    check(open("file:/mica/gone.txt") == -ENOENT, "gone.txt is still there");
    check(open_flags("file:/mica/sub", OPEN_MKDIR) >= 0 && open_flags("file:/mica/sub2", OPEN_MKDIR) >= 0, "mkdir sub, sub2");
    check(put("file:/mica/sub/deep.txt", OPEN_CREATE, "deep\n", 5) == 5, "create sub/deep.txt");
    check(open_flags("file:/mica/sub", OPEN_UNLINK) == -EEXIST, "a directory that is not empty was removed");
    fd = open_flags("file:/mica/sub2", OPEN_UNLINK);
    check(fd >= 0, "rmdir sub2");
    close(fd);
    fd = open_flags("file:/mica/big.bin", OPEN_CREATE);
    check(fd >= 0, "create big.bin");
    for (unsigned long at = 0; at < 200 * 1024; at += sizeof buf) {
        for (unsigned i = 0; i < sizeof buf; i++)
            buf[i] = pattern(at + i);
        check(write(fd, buf, sizeof buf) == sizeof buf, "write mica/big.bin");
    }
    check(fsync(fd) == 0, "fsync");
    close(fd);
    for (int i = 0; i < 40; i++) {   /* enough entries to take the directory past one block */
        char url[64];
        snprintf(url, sizeof url, "file:/mica/f%02d-with-a-longer-name.txt", i);
        check(put(url, OPEN_CREATE, url, strlen(url)) == (long)strlen(url), "create f*.txt");
    }
    fd = open("file:/mica");
    check(fd >= 0 && fsync(fd) == 0, "fsync /mica");
    close(fd);
    finish(true, "");
}
