; A tiny multiboot kernel with symbols for the gdb stub test: counts in a loop,
; writes `counter` each time, then leaves through the isa-debug-exit port.
bits 32
section .text
align 4
mb_header:
	dd 0x1BADB002
	dd 0x00000003
	dd -(0x1BADB002 + 3)

global _start, loop_top, done, counter
_start:
	mov esp, stack_top
	xor ecx, ecx
loop_top:
	inc dword [counter]
	add ecx, 3
	cmp ecx, 300
	jb loop_top
done:
	mov al, 0x21
	out 0xf4, al
	cli
	hlt

section .data
counter: dd 0x1000

section .bss
	resb 4096
stack_top:
