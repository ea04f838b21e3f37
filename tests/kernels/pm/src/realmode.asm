; Real mode: leave protected mode through a 16-bit code segment with 64 KiB segments and
; IDTR = the IVT at 0 (the manual's procedure), run real-mode code at 0000:8000 (segment*16 addressing, IVT delivery of INT n with
; FLAGS/CS/IP pushed and IF cleared, IRET, #DE through IVT entry 0 with the faulting IP,
; 32-bit operand and address prefixes), then return to protected mode with a far jump.
%include "lib.inc"

DATA16 equ 0x68
CODE16 equ 0x70
RES    equ 0x7e00
BLOB   equ 0x8000
%define RM(l) (BLOB + (l) - rm_blob)

main:
    PRINT "realmode", 10
    DESC DATA16, 0x0000ffff, 0x00009200
    DESC CODE16, 0x0000ffff, 0x00009a00
    mov esi, rm_blob
    mov edi, BLOB
    mov ecx, rm_end - rm_blob
    rep movsb
    mov edi, RES
    mov ecx, 16
    xor eax, eax
    rep stosd
    mov [saved_esp], esp
    jmp CODE16:BLOB
pm_back:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, [saved_esp]
    lidt [idt_desc]
    PRINT "back in protected mode", 10
    SHOW "byte at 1234:5678 (linear 179b8) ", {dword [0x179b8]}
    PRINT "int 0x42: ip+"
    movzx eax, word [RES + 18]
    sub eax, RM(rm_after_int)
    call hex
    PRINT " cs "
    movzx eax, word [RES + 20]
    call hex
    PRINT " pushed IF "
    movzx eax, word [RES + 22]
    and eax, 0x200
    call hex
    PRINT " handler IF "
    movzx eax, word [RES + 24]
    and eax, 0x200
    call hex
    PRINT " sp in handler "
    movzx eax, word [RES + 16]
    call hex
    call newline
    PRINT "after iret: ax "
    movzx eax, word [RES + 2]
    call hex
    PRINT " sp "
    movzx eax, word [RES + 4]
    call hex
    call newline
    SHOW "66h mov eax, imm32: ", [RES + 8]
    SHOW "67h mov ebx, [esi*2+disp]: ", [RES + 12]
    PRINT "#DE in real mode: ip+"
    movzx eax, word [RES + 26]
    sub eax, RM(rm_div)
    call hex
    call newline
    PRINT "done", 10
    ret

    bits 16
rm_blob:                               ; entered in a 16-bit protected-mode code segment
    mov ax, DATA16
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    lidt [RM(rm_ivt)]                  ; real-mode interrupts use IDTR: the IVT at 0
    mov eax, cr0
    and eax, ~1
    mov cr0, eax
    jmp 0:RM(rm_real)
rm_real:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x42*4], RM(h42)
    mov word [0x42*4 + 2], 0
    mov word [0], RM(h0)
    mov word [2], 0
    mov ax, 0x1234
    mov es, ax
    mov dword [es:0x5678], 0x99
    xor ax, ax
    mov es, ax
    sti
    mov ax, 0x1111
    int 0x42
rm_after_int:
    cli
    mov [RES + 2], ax
    mov [RES + 4], sp
    mov eax, 0x12345678
    mov [RES + 8], eax
    mov esi, 0x10
    mov ebx, [esi*2 + RES - 0x20 + 8]
    mov [RES + 12], ebx
    xor dx, dx
    mov ax, 1
    xor cx, cx
rm_div:
    div cx
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword KCODE:pm_back
h42:
    mov [RES + 16], sp
    mov bp, sp
    mov ax, [bp]
    mov [RES + 18], ax
    mov ax, [bp + 2]
    mov [RES + 20], ax
    mov ax, [bp + 4]
    mov [RES + 22], ax
    pushf
    pop ax
    mov [RES + 24], ax
    mov ax, 0x2222
    iret
h0:
    mov bp, sp
    mov ax, [bp]
    mov [RES + 26], ax
    add word [bp], 2                   ; skip the two-byte DIV
    iret
rm_ivt:
    dw 0x3ff
    dd 0
rm_end:
    bits 32

%include "tail.inc"
