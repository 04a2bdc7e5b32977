#!/bin/sh
# The QEMU half of the context-switch benchmark: the same Mica image on qemu-system-x86_64 (TCG),
# timed as a whole process at two iteration counts per case; the difference of the median CPU
# times (user + system, all of QEMU's threads) over the difference of the counts is the host time
# of one guest operation, boot cancelled. CPU time rather than wall time: on a shared machine the
# wall time also counts the waits for a core.
#   Benchmarks/ContextSwitch/qemu-ipcbench.sh [RUNS] [FEW] [MANY]     (from the repository root)
set -eu
runs=${1:-5} few=${2:-2000} many=${3:-502000}
kernel=Guest/build/mica.elf initfs=Guest/build/initfs.tar
[ -f "$kernel" ] || { kernel=Guest/prebuilt/mica.elf initfs=Guest/prebuilt/initfs.tar; }

# Median wall seconds of $runs runs of one case at one count (one warm-up run first).
median() {
    i=0
    while [ $i -le "$runs" ]; do
        /usr/bin/time -f "%U %S" -o /tmp/qemu-ipcbench-time.$$ qemu-system-x86_64 -kernel "$kernel" -initrd "$initfs" \
            -append "test=ipcbench case=$1 iters=$2" -serial stdio -display none -vga std -no-reboot -m 256M \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 >/tmp/qemu-ipcbench.$$ 2>&1 || true
        grep -q "TEST ipcbench: PASS" /tmp/qemu-ipcbench.$$ || { echo "ipcbench $1 failed on QEMU" >&2; cat /tmp/qemu-ipcbench.$$ >&2; exit 1; }
        [ $i -gt 0 ] && awk '{ printf "%.6f\n", $1 + $2 }' /tmp/qemu-ipcbench-time.$$
        i=$((i + 1))
    done | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

printf '%-14s %12s %12s %12s\n' case "s@$few" "s@$many" "host ns/op"
for c in null_syscall ipc_roundtrip scheme_read kernel_read; do
    a=$(median $c "$few")
    b=$(median $c "$many")
    echo "$c $a $b" | awk -v n="$((many - few))" '{ printf "%-14s %12.3f %12.3f %12.1f\n", $1, $2, $3, ($3 - $2) * 1e9 / n }'
done
rm -f /tmp/qemu-ipcbench.$$ /tmp/qemu-ipcbench-time.$$
