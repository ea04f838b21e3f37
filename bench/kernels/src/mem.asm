; Memory-heavy loop: dword, word and byte loads and stores spread over a 16 MiB buffer
; (4096 pages, all touched many times) with paging on. Each iteration works on one
; page and then strides 0x400C bytes (4 pages and 3 dwords) on, modulo 16 MiB, so
; consecutive iterations hit different pages and the TLB keeps missing.
; 14 instructions per iteration.
ITERATIONS equ 12000000
%include "frame.inc"
name: db "mem", 0

BUF equ 0x800000                 ; 8 MiB .. 24 MiB (+ one page of offsets)
STRIDE equ 0x400C
MASK equ 0xFFFFFC

main:
    xor eax, eax
    mov esi, BUF
    xor edx, edx
.loop:
    mov ebx, [esi+edx]
    add ebx, ecx
    mov [esi+edx], ebx
    xor eax, ebx
    movzx edi, word [esi+edx+0x802]
    add eax, edi
    mov [esi+edx+0x804], eax
    mov bl, [esi+edx+0x401]
    add [esi+edx+0xc03], bl
    add edx, STRIDE
    and edx, MASK
    add eax, edx
    dec ecx
    jnz .loop
    ret

%include "tail.inc"
