; A multiboot kernel whose CPU dies: it writes "dead" to the debug console
; (port 0xE9), disables interrupts and halts. With no NMI source nothing can
; wake it, so vmalab ends the run with status 3 and one line naming CS:EIP
; (tests/cli/halt.test.ts). Flat binary (nasm -f bin), multiboot v1 with the
; address fields, loaded at 1 MiB; the multiboot loader enters it with the
; flat code segment 0x0008 and interrupts disabled.
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000          ; address fields present

mb_header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd mb_header, mb_header, image_end, image_end, start

start:
    mov esi, msg
    mov dx, 0xe9
.next:
    lodsb
    test al, al
    jz dead
    out dx, al
    jmp .next
dead:
    cli
halt_here:                       ; at 0x100032; the CPU stops with EIP past it, 0x100033 (as an interrupt would save it)
    hlt
    jmp dead

msg: db "dead", 10, 0
image_end:
