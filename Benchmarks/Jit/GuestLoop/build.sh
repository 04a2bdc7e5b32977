#!/bin/sh
# Builds guestloop-ROUNDS.elf for each ROUNDS given (default 2000 and 20000) into OUT (default
# Benchmarks/Jit/GuestLoop/build), linked with the test-kernel support library (run `make -C Guest`
# first). Two round counts let a whole-process timing cancel start-up: (t2 - t1) / (n2 - n1).
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${OUT:-$here/build}
mkdir -p "$out"
[ $# -gt 0 ] || set -- 2000 20000
for rounds in "$@"; do
    gcc -std=c11 -ffreestanding -nostdlib -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
        -mgeneral-regs-only -O2 -Wall -Werror -g0 -fno-asynchronous-unwind-tables \
        -I"$repo/Guest/tests/lib" -DROUNDS="${rounds}ULL" -c "$here/guestloop.c" -o "$out/guestloop-$rounds.o"
    ld -n -z noexecstack --no-warn-rwx-segments -T "$repo/Guest/tests/test.ld" -o "$out/guestloop-$rounds.elf" \
        "$out/guestloop-$rounds.o" "$repo"/Guest/build/tests/lib/*.o
    echo "$out/guestloop-$rounds.elf"
done
