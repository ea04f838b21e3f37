; A multiboot kernel that triple-faults on purpose: an empty IDT, then int3.
; vmalab must stop with exit status 1 and a one-line message.
bits 32
MB_MAGIC equ 0x1BADB002
section .multiboot
align 4
    dd MB_MAGIC, 0, -MB_MAGIC
section .text
global _start
_start:
    lidt [idt_empty]
    int3
    hlt
section .data
idt_empty:
    dw 0
    dd 0
