/* Multiboot (v1) entry of the calibration kernel: loaded as ELF at 1 MiB, entered in
 * 32-bit protected mode at CPL 0 with flat segments and paging off; sets a stack,
 * calls calibrate_main (main.c) and halts with interrupts off. */
	.section .multiboot, "a"
	.p2align 2
	.long 0x1BADB002, 0, -0x1BADB002

	.text
	.globl _start
_start:
	cli
	cld
	movl $stack_top, %esp
	call calibrate_main
1:	cli
	hlt
	jmp 1b

	.bss
	.p2align 4
	.space 16384
stack_top:
