#!/bin/sh
# The QEMU half of the disk benchmark: the same Mica image and the same disk (64 MiB, a 32 MiB ext2 file
# system holding /bench.bin at its start) on qemu-system-x86_64 (TCG), timed as a whole process at two op counts per
# case; the difference of the median CPU times (user + system, all of QEMU's threads) over the difference
# of the counts is the host time of one 4 KiB operation, boot and setup cancelled.
#   Benchmarks/Disk/qemu-diskbench.sh [RUNS] [FEW] [MANY]     (from the repository root)
set -eu
runs=${1:-3} few=${2:-64} many=${3:-576}
kernel=Guest/build/mica.elf initfs=Guest/build/initfs.tar
[ -f "$kernel" ] || { kernel=Guest/prebuilt/mica.elf initfs=Guest/prebuilt/initfs.tar; }
img=/tmp/qemu-diskbench.$$.img root=/tmp/qemu-diskbench-root.$$
mkdir -p "$root" && head -c 4194304 /dev/zero | tr '\0' b > "$root/bench.bin"

median() {
    i=0
    while [ $i -le "$runs" ]; do
        rm -f "$img"; truncate -s 64M "$img"; mke2fs -q -F -t ext2 -b 1024 -d "$root" "$img" 32M
        /usr/bin/time -f "%U %S" -o /tmp/qemu-diskbench-time.$$ qemu-system-x86_64 -kernel "$kernel" -initrd "$initfs" \
            -append "test=diskbench case=$1 ops=$2" -serial stdio -display none -vga std -no-reboot -m 256M \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 -drive "file=$img,format=raw,if=virtio" >/tmp/qemu-diskbench.$$ 2>&1 || true
        grep -q "TEST diskbench: PASS" /tmp/qemu-diskbench.$$ || { echo "diskbench $1 failed on QEMU" >&2; cat /tmp/qemu-diskbench.$$ >&2; exit 1; }
        [ $i -gt 0 ] && awk '{ printf "%.6f\n", $1 + $2 }' /tmp/qemu-diskbench-time.$$
        i=$((i + 1))
    done | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

printf '%-16s %10s %10s %12s %10s\n' case "s@$few" "s@$many" "host us/op" "MB/s"
for c in disk_seq_read disk_seq_write disk_rand_read disk_rand_write file_seq_read file_seq_write file_rand_read file_rand_write; do
    a=$(median $c "$few")
    b=$(median $c "$many")
    echo "$c $a $b" | awk -v n="$((many - few))" '{ us = ($3 - $2) * 1e6 / n; printf "%-16s %10.3f %10.3f %12.1f %10.2f\n", $1, $2, $3, us, (us > 0 ? 4096 / us : 0) }'
done
rm -rf "$img" "$root" /tmp/qemu-diskbench.$$ /tmp/qemu-diskbench-time.$$
