; Privilege transitions: ring 0 -> 3 by IRET, 3 -> 0 by INT through a DPL-3 gate (the
; frame pushed on the TSS ring-0 stack), IRET back nulling a DPL-0 data segment, a call
; gate with two parameters and RETF 8, POPF in ring 3, and the #GP of privileged and
; IOPL-sensitive instructions, gate and selector privilege checks at CPL 3.
%include "lib.inc"

main:
    PRINT "ring", 10
    mov dword [handler], ring_handler
    mov eax, cg_target
    mov ebx, CGATE & ~3
    call set_gate
    mov eax, user1
    mov ecx, 0x3000                    ; IOPL 3, IF 0
    call to_user
    PRINT "back in ring 0 (int 0x81)", 10
    mov eax, [popf_result]
    SHOW "ring 3 popfd IOPL bits with IOPL 3: ", eax
    mov eax, user2
    xor ecx, ecx                       ; IOPL 0
    call to_user
    PRINT "back in ring 0 again", 10
    mov eax, [popf_result]
    SHOW "ring 3 popfd IOPL/IF bits with IOPL 0: ", eax
    ; I/O permission bitmap after the TSS: port 0x80 denied, everything else below 0x100 allowed
    mov byte [tss1 + 104 + 0x80 / 8], 1
    mov byte [tss1 + 104 + 32], 0xff
    mov word [tss1 + 0x66], 104
    mov word [gdt + TSS1], 104 + 32    ; TSS limit: bitmap end byte included
    and byte [gdt + TSS1 + 5], ~2      ; not busy, so LTR can load it again
    mov ax, TSS1
    ltr ax
    mov eax, user3
    xor ecx, ecx                       ; IOPL 0: the bitmap decides
    call to_user
    PRINT "iret to ring 3 with SS RPL 0: "
    EXPECT .ir1, .ir1_n
    push dword KDATA
    push dword USTACK
    push dword 0x2
    push dword UCODE
    push dword .ir1_n
.ir1: iretd
    NOTRAP
.ir1_n:
    add esp, 20                        ; drop the unused IRET frame
    PRINT "iret to ring 3 with CS not present: "
    and byte [gdt + 0x18 + 5], 0x7f
    EXPECT .ir2, .ir2_n
    push dword UDATA
    push dword USTACK
    push dword 0x2
    push dword UCODE
    push dword .ir2_n
.ir2: iretd
    NOTRAP
.ir2_n:
    add esp, 20
    or byte [gdt + 0x18 + 5], 0x80
    ; trap gate (0x83) keeps IF, interrupt gate (0x84) clears it; both clear TF and NT
    mov byte [idt + 0x83*8 + 5], 0xEF
    mov byte [idt + 0x84*8 + 5], 0xEE
    mov eax, user4
    mov ecx, 0x3200                    ; IOPL 3, IF 1
    call to_user
    PRINT "done", 10
    ret


; int 0x80: print the frame the CPU pushed on the ring-0 stack; 0x83/0x84: print EFLAGS in
; the handler; other vectors: report_trap.
ring_handler:
    cmp dword [ebp + F_VEC], 0x83
    je .gates
    cmp dword [ebp + F_VEC], 0x84
    je .gates
    cmp dword [ebp + F_VEC], 0x80
    jne report_trap
    PRINT "int 0x80 frame: eip+"
    mov eax, [ebp + F_EIP]
    sub eax, [expect_eip]
    call hex
    PRINT " cs "
    mov eax, [ebp + F_CS]
    call hex
    PRINT " eflags "
    mov eax, [ebp + F_EFLAGS]
    and eax, 0x3302
    call hex
    PRINT " esp "
    mov eax, USTACK
    sub eax, [ebp + F_ESP]
    call hex
    PRINT " ss "
    mov eax, [ebp + F_SS]
    call hex
    call newline
    PRINT "  on the TSS stack at esp0-"
    mov eax, ESP0
    lea ebx, [ebp + F_EIP]
    sub eax, ebx
    call hex
    PRINT ", handler cs "
    xor eax, eax
    mov ax, cs
    call hex
    PRINT " ss "
    mov ax, ss
    call hex
    call newline
    mov dword [ebp + F_DS], KDATA      ; IRET to ring 3 must null this DPL-0 DS
    ret

.gates:
    PRINT "int "
    mov eax, [ebp + F_VEC]
    call hex2
    PRINT ": handler eflags IF/TF/NT "
    pushfd
    pop eax
    and eax, 0x4300
    call hex
    PRINT " pushed "
    mov eax, [ebp + F_EFLAGS]
    and eax, 0x4300
    call hex
    call newline
    ret

; The call gate's target (ring 0).
cg_target:
    PRINT "call gate: eip+"
    mov eax, [esp]
    sub eax, user1.cg_ret
    call hex
    PRINT " cs "
    mov eax, [esp + 4]
    call hex
    PRINT " params "
    mov eax, [esp + 8]
    call hex
    call space
    mov eax, [esp + 12]
    call hex
    PRINT " esp "
    mov eax, USTACK
    sub eax, [esp + 16]
    call hex
    PRINT " ss "
    mov eax, [esp + 20]
    call hex
    call newline
    PRINT "  at esp0-"
    mov eax, ESP0
    sub eax, esp
    call hex
    PRINT " with cs "
    xor eax, eax
    mov ax, cs
    call hex
    call newline
    mov ax, KDATA                      ; RETF to ring 3 must null this DPL-0 DS
    mov ds, ax
    retf 8

user1:
    PRINT "in ring 3, cs "
    xor eax, eax
    mov ax, cs
    call hex
    call newline
    mov dword [expect_eip], .after
    int 0x80
.after:
    mov bx, ds
    mov ax, UDATA
    mov ds, ax
    PRINT "back in ring 3, ds after iret "
    movzx eax, bx
    call hex
    call newline
    push dword 0x11111111
    push dword 0x22222222
    call CGATE:0
.cg_ret:
    mov bx, ds
    mov ax, UDATA
    mov ds, ax
    PRINT "after retf 8: ds "
    movzx eax, bx
    call hex
    PRINT " esp delta "
    mov eax, USTACK
    sub eax, esp
    call hex
    call newline
    pushfd
    and dword [esp], ~0x3000
    popfd
    pushfd
    pop eax
    and eax, 0x3000
    mov [popf_result], eax
    int 0x81

user2:
    EXPECTD "cli at IOPL 0: ", .cli, .cli_n
.cli: cli
    NOTRAP
.cli_n:
    EXPECTD "sti at IOPL 0: ", .sti, .sti_n
.sti: sti
    NOTRAP
.sti_n:
    EXPECTD "in at IOPL 0 (no I/O bitmap): ", .in, .in_n
.in: in al, 0x80
    NOTRAP
.in_n:
    EXPECTD "out at IOPL 0: ", .out, .out_n
.out: out 0xE9, al
    NOTRAP
.out_n:
    EXPECTD "hlt in ring 3: ", .hlt, .hlt_n
.hlt: hlt
    NOTRAP
.hlt_n:
    EXPECTD "mov eax, cr0 in ring 3: ", .cr, .cr_n
.cr: mov eax, cr0
    NOTRAP
.cr_n:
    EXPECTD "lgdt in ring 3: ", .lg, .lg_n
.lg: lgdt [gdt_desc]
    NOTRAP
.lg_n:
    EXPECTD "int 0x41 (gate DPL 0): ", .int41, .int41_n
.int41: int 0x41
    NOTRAP
.int41_n:
    EXPECTD "mov ds, DPL-0 data: ", .ds, .ds_n
    mov ax, K0DATA
.ds: mov ds, ax
    NOTRAP
.ds_n:
    EXPECTD "mov ss, selector with RPL 0: ", .ss, .ss_n
    mov ax, UDATA & ~3
.ss: mov ss, ax
    NOTRAP
.ss_n:
    EXPECTD "jmp far to ring-0 code: ", .jf, .jf_n
.jf: jmp KCODE:0
    NOTRAP
.jf_n:
    EXPECTD "iret to ring 0: ", .ir, .ir_n
    pushfd
    push dword KCODE
    push dword .ir_n
.ir: iretd
    NOTRAP
.ir_n:
    EXPECTD "int3 through the DPL-3 gate: ", .bp_next, .bp_n
    int3
.bp_next:
    NOTRAP
.bp_n:
    pushfd
    or dword [esp], 0x3200                ; try to raise IOPL and set IF
    popfd
    pushfd
    pop eax
    and eax, 0x3200
    mov [popf_result], eax
    int 0x81

user3:
    PRINT "ring 3, IOPL 0, port 0xe9 allowed by the I/O bitmap", 10
    EXPECTD "in al, 0x80 (bitmap bit set): ", .io1, .io1_n
.io1: in al, 0x80
    NOTRAP
.io1_n:
    EXPECTD "in al, 0x7f (bitmap bit clear): ", .io2, .io2_n
.io2: in al, 0x7f
    NOTRAP
.io2_n:
    EXPECTD "in ax, 0x7f (covers port 0x80): ", .io3, .io3_n
.io3: in ax, 0x7f
    NOTRAP
.io3_n:
    EXPECTD "out dx=0x3f8 (past the bitmap): ", .io4, .io4_n
    mov dx, 0x3f8
.io4: out dx, al
    NOTRAP
.io4_n:
    int 0x81

user4:
    int 0x83
    int 0x84
    int 0x81

popf_result: dd 0

%include "tail.inc"
