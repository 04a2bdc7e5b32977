/* msr's assembly: SYSENTER from CPL 3 and SYSEXITQ back (SDM Vol. 2B), and SYSEXIT at CPL 3. */
    .text
    .code64
    .globl user_sysenter, at_sysenter, sysenter_entry, user_sysexit, at_sysexit
user_sysenter:                  /* SYSEXITQ returns to RDX with RSP = RCX */
    mov %rsp, %rcx
    lea 1f(%rip), %rdx
at_sysenter:
    sysenter
1:  mov %cs, %eax
    mov %eax, u_cs_sysexit(%rip)
    mov %ss, %eax
    mov %eax, u_ss_sysexit(%rip)
    int $0x80

sysenter_entry:                 /* CPL 0, RSP = IA32_SYSENTER_ESP */
    mov %rsp, k_rsp_sysenter(%rip)
    mov %cs, %eax
    mov %eax, k_cs_sysenter(%rip)
    mov %ss, %eax
    mov %eax, k_ss_sysenter(%rip)
    pushfq
    pop %rax
    mov %rax, k_flags_sysenter(%rip)
    .byte 0x48, 0x0F, 0x35      /* sysexitq */

user_sysexit:
at_sysexit:
    .byte 0x0F, 0x35            /* sysexit at CPL 3: #GP(0) */
    int $0x80

    .data
    .globl u_cs_sysexit, u_ss_sysexit, k_cs_sysenter, k_ss_sysenter, k_rsp_sysenter, k_flags_sysenter
    .align 8
k_rsp_sysenter: .quad 0
k_flags_sysenter: .quad 0
u_cs_sysexit: .long 0
u_ss_sysexit: .long 0
k_cs_sysenter: .long 0
k_ss_sysenter: .long 0
