; A multiboot (v1) hello world for vmalab and QEMU: programs COM1 (115200 8N1,
; FIFOs on), writes a greeting, the command line and the bytes of each module,
; reads one byte of input when the command line starts with "echo", then
; leaves through QEMU's isa-debug-exit port 0xF4.
;
; Build: nasm -f elf32 hello.asm -o hello.o && ld.lld -m elf_i386 -T hello.ld hello.o -o hello.elf
; Exit status seen by the host: (EXIT_VALUE << 1) | 1 = 0x55 when EXIT_VALUE = 0x2a.

bits 32

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ 0x00000003          ; page-align modules, memory info
COM1        equ 0x3F8
EXIT_PORT   equ 0xF4
EXIT_VALUE  equ 0x2A

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .text
global _start
_start:
    mov esp, stack_top
    cmp eax, 0x2BADB002             ; the loader's magic must be in EAX
    jne bad_magic
    mov [mbinfo], ebx

    ; COM1: interrupts off, divisor 1 (115200 baud), 8N1, FIFOs on and cleared, DTR+RTS+OUT2
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al
    mov dx, COM1
    mov al, 1
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al
    mov dx, COM1 + 2
    mov al, 0xC7
    out dx, al
    mov dx, COM1 + 4
    mov al, 0x0B
    out dx, al

    mov esi, greeting
    call puts

    ; the command line from the multiboot info (flag bit 2): print it in brackets
    mov ebx, [mbinfo]
    test dword [ebx], 1 << 2
    jz .no_cmdline
    mov esi, open_bracket
    call puts
    mov esi, [ebx + 16]
    call puts
    mov esi, close_bracket
    call puts
.no_cmdline:

    ; modules (flag bit 3): print each one's bytes (small text files in the tests)
    mov ebx, [mbinfo]
    test dword [ebx], 1 << 3
    jz .no_mods
    mov ecx, [ebx + 20]             ; mods_count
    mov edi, [ebx + 24]             ; mods_addr
.next_mod:
    test ecx, ecx
    jz .no_mods
    mov esi, module_msg
    call puts
    mov esi, [edi]                  ; mod_start
.mod_byte:
    cmp esi, [edi + 4]              ; mod_end
    jae .mod_done
    lodsb
    call putc
    jmp .mod_byte
.mod_done:
    mov esi, close_bracket
    call puts
    add edi, 16
    dec ecx
    jmp .next_mod
.no_mods:
    mov ebx, [mbinfo]

    ; "echo" in the command line: wait for one byte on COM1 and print it back
    mov esi, [ebx + 16]
    cmp dword [esi], 'echo'
    jne .done
.wait_rx:
    mov dx, COM1 + 5
    in al, dx
    test al, 1
    jz .wait_rx
    mov dx, COM1
    in al, dx
    mov [echo_char], al
    mov esi, got
    call puts

.done:
    mov al, 'x'                     ; debugcon gets a byte too
    out 0xE9, al
    mov al, EXIT_VALUE
    out EXIT_PORT, al
.hang:
    cli
    hlt
    jmp .hang

bad_magic:
    mov al, 0x01
    out EXIT_PORT, al
    jmp _start.hang

; puts: writes the NUL-terminated string at ESI to COM1.
puts:
    lodsb
    test al, al
    jz .ret
    call putc
    jmp puts
.ret:
    ret

; putc: writes AL to COM1 once THR is empty; keeps every register but EFLAGS.
putc:
    push edx
    push eax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop eax
    mov dx, COM1
    out dx, al
    pop edx
    ret

section .data
greeting:      db "Hello from multiboot", 13, 10, 0
open_bracket:  db "cmdline=[", 0
close_bracket: db "]", 13, 10, 0
module_msg:    db "module=[", 0
got:           db "got "
echo_char:     db "?", 13, 10, 0

section .bss
align 16
mbinfo:     resd 1
stack:      resb 4096
stack_top:
