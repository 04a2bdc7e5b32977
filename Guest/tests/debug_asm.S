/* debug's assembly: the sites a breakpoint, watchpoint or single step is checked at, each with a label
 * before it and (S_end) after it, so the handler's RIP can be compared with a fault's or a trap's
 * address (Intel SDM Vol. 3B, 18.3). */
    .text
    .code64
.macro site name, insn:vararg
    .globl \name, \name\()_end
\name: \insn
\name\()_end:
.endm

/* void bp_func(void): an instruction breakpoint goes on bp_site (called in a loop: compiled code too) */
    .globl bp_func
bp_func:
    nop
    site bp_site, incq bp_count(%rip)
    ret

/* data accesses: p in RDI, value in RSI */
    .globl store32, store8, load64, store64
store32:
    site st32, movl %esi, (%rdi)
    ret
store8:
    site st8, movb %sil, (%rdi)
    ret
store64:
    site st64, movq %rsi, (%rdi)
    ret
load64:
    site ld64, movq (%rdi), %rax
    ret

/* port I/O: port in RDI */
    .globl port_out, port_in
port_out:
    mov %edi, %edx
    xor %eax, %eax
    site io_out, outb %al, %dx
    ret
port_in:
    mov %edi, %edx
    site io_in, inb %dx, %al
    ret

/* general detect: the move faults with DR7.GD set */
    .globl read_dr0
read_dr0:
    site gd_site, mov %dr0, %rax
    ret

/* DR4 with CR4.DE set: #UD */
    .globl read_dr4
read_dr4:
    site dr4_site, mov %dr4, %rax
    ret

/* single steps: RDI is an RFLAGS image with TF set; POPFQ sets it, the next instruction is the first traced.
 * The last POPFQ clears TF and is itself traced (TF was set when it began). */
    .globl step_run
step_run:
    pushq %rdi
    popfq
    site ss1, nop
    site ss2, nop
    site ss3, pushfq
    site ss4, andq $~0x100, (%rsp)
    site ss5, popfq
    site ss6, nop
    ret

/* REP STOSQ of RDX quadwords of RSI at RDI: a data breakpoint traps between its iterations (SDM 18.3.1.2) */
    .globl rep_stos
rep_stos:
    mov %rdx, %rcx
    mov %rsi, %rax
    site rst, rep stosq
    ret

/* REP STOSB of RDX bytes at RSI with TF set from RDI's image: a trap after every iteration, RIP at the
 * instruction until the last one, then traced on to the POPFQ that clears TF (as step_run) */
    .globl rep_step_run
rep_step_run:
    mov %rdx, %rcx
    pushq %rdi
    mov %rsi, %rdi
    xor %eax, %eax
    popfq
    site rs1, rep stosb
    site rs2, pushfq
    site rs3, andq $~0x100, (%rsp)
    site rs4, popfq
    ret

/* REP OUTSB of RDX bytes at RSI to port RDI: an I/O breakpoint traps between iterations too */
    .globl rep_outs
rep_outs:
    mov %rdx, %rcx
    mov %edi, %edx
    site ros, rep outsb
    ret

/* MOV SS with TF: its trap waits for the next instruction (SDM 6.8.3) */
    .globl movss_run
movss_run:
    mov %ss, %eax
    pushq %rdi
    popfq
    site ms1, mov %eax, %ss
    site ms2, nop
    site ms3, nop
    site ms4, nop
    ret

/* STI with TF (IF clear in RDI's image): the trap follows STI */
    .globl sti_run
sti_run:
    pushq %rdi
    popfq
    site sti1, sti
    site sti2, nop
    site sti3, nop
    cli
    ret

/* ICEBP (INT1), INT3 and a fault (UD2, resumed at its end by the handler) */
    .globl icebp, int3_site_run, ud_run
icebp:
    site ice, .byte 0xF1
    ret
int3_site_run:
    site i3, int3
    ret
ud_run:
    site ud, ud2
    ret

    .data
    .globl bp_count
bp_count: .quad 0
