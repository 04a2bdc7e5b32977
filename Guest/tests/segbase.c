/* segbase: instruction fetch adds CS's base to EIP in every mode that has one (SDM Vol. 3A 3.4: the
 * linear address is the base plus the offset). boot32_hook (segbase_asm.S) runs a snippet at offset
 * 0x100 of a 32-bit code segment based at 0x20000, at 0x200 of a 16-bit one based at 0x30000, and at
 * 0700:0000 in real mode; each records its mark, and a fetch that ignored the base would run a decoy
 * recording 0xBAD. (The CS limit check on fetch is a unit test: QEMU TCG does not make it.) */
#include "test.h"

const char test_name[] = "segbase";

extern uint32_t result_pm32, result_pm16, result_real;

int main(void) {
    check("32-bit code, base 0x20000", result_pm32, 0x32);
    check("16-bit code, base 0x30000", result_pm16, 0x16);
    check("real mode at 0700:0000", result_real, 0x10);
    finish();
}
