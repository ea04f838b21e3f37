; String instructions: per iteration, REP STOSB fills a 64 KiB buffer, REP MOVSD copies
; it to a second buffer, REPE CMPSB compares the two (equal, so it runs to the end), and
; one dword of the source (the running checksum) changes so the next copy differs.
; Buffers cross pages, paging on. vmalab and v86 both count a long REP once per chunk they run it in, each
; its own way, so this kernel's MIPS compare times, not instruction rates.
ITERATIONS equ 600
%include "frame.inc"
name: db "string", 0

SRC equ 0x400000
DST equ 0x500000
LEN equ 0x10000

main:
    xor edx, edx                 ; checksum
.loop:
    push ecx
    mov edi, SRC
    mov eax, ecx
    mov ecx, LEN
    rep stosb
    mov [SRC + 0x1234], edx
    mov esi, SRC
    mov edi, DST
    mov ecx, LEN / 4
    rep movsd
    mov esi, SRC
    mov edi, DST
    mov ecx, LEN
    repe cmpsb
    add edx, ecx                 ; 0 when equal
    rol edx, 7
    add edx, [DST + 0x1234]
    add edx, [DST + LEN - 4]
    pop ecx
    dec ecx
    jnz .loop
    mov eax, edx
    ret

%include "tail.inc"
