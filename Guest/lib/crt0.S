/* Program entry: rdi = the argument string, rsi/rdx = extra words (init: the initfs). */
    .text
    .globl _start
_start:
    and $-16, %rsp
    call libmain
    ud2
    .section .note.GNU-stack, "", @progbits
