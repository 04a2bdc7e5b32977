#include "mica.h"

/* One grant word of init.rc ("io=BASE:N", "irq=N", "mem=BASE:LEN", "dma=PAGES", "prio=N") given to a process
 * started suspended: init uses it at boot, rs when it restarts a driver. Other kinds, and words
 * without '=', are the caller's and give 0. */
long grant_apply(long pid, const char *g) {
    const char *v = strchr(g, '=');
    if (!v)
        return 0;
    const char *rest;
    unsigned long a = strtoul(v + 1, &rest, 0), b = *rest == ':' ? strtoul(rest + 1, NULL, 0) : 0;
    if (!strncmp(g, "io=", 3))
        return grant_io(pid, a, b);
    if (!strncmp(g, "irq=", 4))
        return grant_irq(pid, a);
    if (!strncmp(g, "mem=", 4))
        return grant_mem(pid, a, b);
    if (!strncmp(g, "dma=", 4))
        return grant_dma(pid, a);
    if (!strncmp(g, "prio=", 5))
        return set_prio(pid, a);
    return 0;
}
