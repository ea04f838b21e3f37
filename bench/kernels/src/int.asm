; Integer loop (the workload of bench:cpu before v86 was added, unchanged): ALU ops,
; loads/stores through a 1 KiB table, compares, taken and untaken branches, a call/ret.
; 17-18 instructions per iteration.
ITERATIONS equ 11500000
%include "frame.inc"
name: db "int", 0

TABLE equ 0x300000

main:
    xor eax, eax
    mov esi, TABLE
    xor edx, edx
.outer:
    mov ebx, ecx
    and ebx, 0xff
    mov edi, [esi+ebx*4]
    add edi, ecx
    xor edi, eax
    mov [esi+ebx*4], edi
    add eax, edi
    cmp ebx, 0x80
    jb .skip
    sub eax, ebx
    inc edx
.skip:
    call func
    test eax, 1
    jz .even
    add edx, 3
.even:
    dec ecx
    jnz .outer
    add eax, edx
    ret

func:
    lea eax, [eax+edx*2+1]
    ret

%include "tail.inc"
