#!/bin/sh
# Builds KERNEL-ROUNDS.elf for each ROUNDS given (default 2000 and 20000) into OUT (default
# Benchmarks/Jit/build), linked with the test-kernel support library (run `make -C Guest` first).
# KERNEL is guestloop (Benchmarks/Jit/GuestLoop/guestloop.c), coremix (Guest/tests/coremix.c, the
# test kernel itself with another round count, laid out as Guest/tests/tests.mk links it) or
# coremix-apart (the same with its data on a page of its own) or simdloop (SimdLoop/simdloop.c,
# vectorised SSE2 loops, so built with SSE allowed: no -mgeneral-regs-only). Two round
# counts let a whole-process timing cancel start-up: (t2 - t1) / (n2 - n1).
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${OUT:-$here/build}
kernel=${1:?usage: build-guest.sh guestloop|coremix|coremix-apart|simdloop [ROUNDS...]}
shift
case "$kernel" in
    guestloop) source="$here/GuestLoop/guestloop.c"; extra="-mgeneral-regs-only" ;;
    coremix) source="$repo/Guest/tests/coremix.c"; extra="-mgeneral-regs-only -fno-toplevel-reorder" ;;
    coremix-apart) source="$repo/Guest/tests/coremix.c"; extra="-mgeneral-regs-only -fno-toplevel-reorder -DDATA_APART" ;;
    simdloop) source="$here/SimdLoop/simdloop.c"; extra="" ;;
    *) echo "build-guest.sh: unknown kernel '$kernel' (guestloop, coremix, coremix-apart or simdloop)" >&2; exit 2 ;;
esac
mkdir -p "$out"
[ $# -gt 0 ] || set -- 2000 20000
for rounds in "$@"; do
    gcc -std=c11 -ffreestanding -nostdlib -fno-stack-protector -fno-pic -fno-pie -mno-red-zone \
        -O2 -Wall -Werror -g0 -fno-asynchronous-unwind-tables $extra \
        -I"$repo/Guest/tests/lib" -DROUNDS="${rounds}ULL" -c "$source" -o "$out/$kernel-$rounds.o"
    # the support library first, as tests.mk links coremix (its code then ends .text, beside .data)
    ld -n -z noexecstack --no-warn-rwx-segments -T "$repo/Guest/tests/test.ld" -o "$out/$kernel-$rounds.elf" \
        "$repo"/Guest/build/tests/lib/*.o "$out/$kernel-$rounds.o"
    echo "$out/$kernel-$rounds.elf"
done
