; Hardware task switches: CALL to a TSS (nested: NT and the back link set, both TSS busy),
; IRET back (NT return), JMP to a TSS and back (busy bits move, no back link), the state
; saved in the old TSS and loaded from the new one, TR, and CR0.TS set by every switch.
%include "lib.inc"

%macro BUSY 0                          ; prints " busy tss1 T tss2 T" (descriptor types)
    PRINT "  busy tss1 "
    movzx eax, byte [gdt + TSS1 + 5]
    and eax, 15
    call hex
    PRINT " tss2 "
    movzx eax, byte [gdt + TSS2 + 5]
    and eax, 15
    call hex
%endmacro

main:
    PRINT "task", 10
    mov dword [tss2 + 0x1c], 0           ; CR3 (paging is off)
    mov dword [tss2 + 0x20], task2       ; EIP
    mov dword [tss2 + 0x24], 2           ; EFLAGS
    mov dword [tss2 + 0x28], 0x12345678  ; EAX
    mov dword [tss2 + 0x2c], 0xc0c0      ; ECX
    mov dword [tss2 + 0x38], 0x60000     ; ESP
    mov dword [tss2 + 0x48], KDATA       ; ES
    mov dword [tss2 + 0x4c], KCODE       ; CS
    mov dword [tss2 + 0x50], KDATA       ; SS
    mov dword [tss2 + 0x54], KDATA       ; DS
    mov dword [tss2 + 0x58], KDATA       ; FS
    mov dword [tss2 + 0x5c], KDATA       ; GS
    mov word [tss2 + 0x66], 104
    mov eax, 0xaaaa0001
    call TSS2:0
.after_call:
    PRINT "back in task 1: tr "
    xor eax, eax
    str ax
    call hex
    PRINT " nt "
    pushfd
    pop eax
    and eax, 0x4000
    call hex
    PRINT " saved eip+"
    mov eax, [tss1 + 0x20]
    sub eax, .after_call
    call hex
    PRINT " saved eax "
    mov eax, [tss1 + 0x28]
    call hex
    call newline
    BUSY
    PRINT " cr0.ts "
    mov eax, cr0
    and eax, 8
    call hex
    call newline
    clts
    jmp TSS2:0
.after_jmp:
    PRINT "back in task 1 by jmp: tr "
    xor eax, eax
    str ax
    call hex
    call newline
    BUSY
    call newline
    PRINT "done", 10
    ret

task2:
    PRINT "in task 2: eax "
    call hex
    PRINT " ecx "
    mov eax, ecx
    call hex
    PRINT " tr "
    xor eax, eax
    str ax
    call hex
    PRINT " nt "
    pushfd
    pop eax
    and eax, 0x4000
    call hex
    PRINT " link "
    movzx eax, word [tss2]
    call hex
    call newline
    BUSY
    PRINT " cr0.ts "
    mov eax, cr0
    and eax, 8
    call hex
    call newline
    iretd                                 ; NT: return to task 1
    PRINT "task 2 resumed by jmp: nt "
    pushfd
    pop eax
    and eax, 0x4000
    call hex
    PRINT " link "
    movzx eax, word [tss2]
    call hex
    call newline
    BUSY
    call newline
    jmp TSS1:0

%include "tail.inc"
