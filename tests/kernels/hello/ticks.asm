; A multiboot kernel that takes timer interrupts: remaps the PIC to 0x20/0x28,
; programs PIT channel 0 in mode 2 at ~100 Hz, installs an IDT gate for IRQ 0,
; then idles with sti; hlt until 10 ticks have been counted, prints
; "ticks=10" on COM1 and exits through port 0xF4 with value 0x10.
bits 32
MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x3
COM1     equ 0x3F8
PIT_DIV  equ 11932

section .multiboot
align 4
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

section .text
global _start
_start:
    mov esp, stack_top
    ; GDT with flat code 0x08 and data 0x10 (the loader's selectors)
    lgdt [gdt_desc]
    jmp 0x08:.reload
.reload:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax

    ; IDT gate 0x20 -> timer_isr (32-bit interrupt gate, DPL 0)
    mov eax, timer_isr
    mov [idt + 0x20 * 8], ax
    mov word [idt + 0x20 * 8 + 2], 0x08
    mov word [idt + 0x20 * 8 + 4], 0x8E00
    shr eax, 16
    mov [idt + 0x20 * 8 + 6], ax
    lidt [idt_desc]

    ; PIC: ICW1-4, master 0x20, slave 0x28, unmask IRQ 0 only
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al

    ; PIT channel 0, lobyte/hibyte, mode 2
    mov al, 0x34
    out 0x43, al
    mov al, PIT_DIV & 0xFF
    out 0x40, al
    mov al, PIT_DIV >> 8
    out 0x40, al

    sti
.idle:
    hlt
    cmp dword [ticks], 10
    jb .idle
    cli

    mov esi, msg
.puts:
    lodsb
    test al, al
    jz .exit
    mov dx, COM1
    out dx, al
    jmp .puts
.exit:
    mov al, 0x10
    out 0xF4, al
    hlt

timer_isr:
    push eax
    inc dword [ticks]
    mov al, 0x20
    out 0x20, al
    pop eax
    iret

section .data
align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
gdt_desc:
    dw 3 * 8 - 1
    dd gdt
idt_desc:
    dw 256 * 8 - 1
    dd idt
msg: db "ticks=10", 13, 10, 0

section .bss
align 8
idt:    resb 256 * 8
ticks:  resd 1
stack:  resb 4096
stack_top:
