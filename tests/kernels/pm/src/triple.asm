; Triple fault: with an empty IDT, INT3 raises #GP, whose delivery raises #DF, whose
; delivery shuts the CPU down; the PC resets and the multiboot loader boots the kernel
; again. A word at 6 MiB (outside the image, kept across the reset) tells the boots apart.
%include "lib.inc"

MARK equ 0x600000

main:
    cmp dword [MARK], 0x7121e
    je .second
    mov dword [MARK], 0x7121e
    PRINT "boot 1: triple fault now", 10
    lidt [empty_idt]
    int3
    PRINT "still running after the triple fault", 10
    mov al, 2
    jmp exit
.second:
    mov dword [MARK], 0
    PRINT "boot 2 after the reset", 10
    ret

empty_idt: dw 0
    dd 0

%include "tail.inc"
