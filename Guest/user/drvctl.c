/* drvctl list|restart NAME|stop NAME|start NAME|help: asks the supervisor rs (through its scheme rs:)
 * to list, replace, stop or start a driver at run time, and prints its answer. */
#include "mica.h"

int main(const char *arg, unsigned long a2, unsigned long a3) {
    console_mirror = true;   /* run from the shell: answer on its display too */
    if (!strcmp(arg, "help")) {
        printf("drvctl list | restart NAME | stop NAME | start NAME | help: manage the drivers through rs\n");
        return 0;
    }
    char url[128];
    snprintf(url, sizeof url, "rs:%s", arg[0] ? arg : "list");
    long fd = open(url);
    if (fd < 0) {
        printf("drvctl: %s: error %d\n", arg[0] ? arg : "list", (int)fd);
        return 1;
    }
    char buf[512];
    long n;
    while ((n = read(fd, buf, sizeof buf - 1)) > 0) {
        buf[n] = 0;
        printf("%s", buf);
    }
    close(fd);
    return 0;
}
