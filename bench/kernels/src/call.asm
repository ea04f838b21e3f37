; Call/branch-heavy loop: per iteration, a recursive Fibonacci of 10 through an indirect
; call (177 calls, conditional branches at each), then a 32-step bytecode interpreter
; that dispatches every op through a jump table (indirect jumps) and loops on a
; counter-controlled conditional branch.
ITERATIONS equ 95000
%include "frame.inc"
name: db "call", 0

main:
    xor edi, edi                 ; checksum
.outer:
    push ecx
    mov eax, 10
    call [fibptr]
    add edi, eax
    ; bytecode interpreter: ESI = program counter, EAX = accumulator, EBX = op
    mov esi, program
    mov eax, edi
.next:
    movzx ebx, byte [esi]
    inc esi
    jmp [optable + ebx*4]
.op_add:
    add eax, 7
    jmp .next
.op_xor:
    xor eax, 0x5a5a
    jmp .next
.op_shl:
    rol eax, 3
    jmp .next
.op_odd:
    test eax, 1
    jz .next
    inc eax
    jmp .next
.op_end:
    add edi, eax
    pop ecx
    dec ecx
    jnz .outer
    mov eax, edi
    ret

; fib: EAX = n -> EAX = fib(n), recursive; clobbers EDX
fib:
    cmp eax, 2
    jb .done
    push eax
    dec eax
    call fib
    mov edx, eax
    pop eax
    push edx
    sub eax, 2
    call fib
    pop edx
    add eax, edx
.done:
    ret

    align 4
fibptr: dd fib
optable: dd main.op_add, main.op_xor, main.op_shl, main.op_odd, main.op_end
program:
    times 8 db 0, 1, 2, 3
    db 4

%include "tail.inc"
