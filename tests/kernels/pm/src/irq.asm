; External interrupts through the 8259A PIC and the 8254 PIT: HLT woken by IRQ 0 (the saved
; EIP is the instruction after HLT), the one-instruction interrupt shadow of STI (STI; CLI
; takes no pending interrupt, STI; NOP takes it after the NOP), the vector from ICW2, EOI.
%include "lib.inc"

main:
    PRINT "irq", 10
    mov dword [handler], irq_handler
    ; PIC: ICW1-4, master vectors 0x20, slave 0x28; only IRQ 0 unmasked
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 4
    out 0x21, al
    mov al, 2
    out 0xA1, al
    mov al, 1
    out 0x21, al
    out 0xA1, al
    mov al, 0xfe
    out 0x21, al
    mov al, 0xff
    out 0xA1, al
    ; PIT channel 0, mode 2, count 1193 (1 ms)
    mov al, 0x34
    out 0x43, al
    mov ax, 1193
    out 0x40, al
    mov al, ah
    out 0x40, al

    PRINT "hlt woken by irq 0: "
    mov dword [expect_eip], .after_hlt
    sti
    hlt
.after_hlt:
    cli
    call show_irq

    call wait_pending
    PRINT "sti; cli with irq 0 pending: ticks before "
    mov eax, [ticks]
    call hex
    sti
    cli
    PRINT " after "
    mov eax, [ticks]
    call hex
    call newline

    PRINT "sti; nop with irq 0 pending: "
    mov dword [expect_eip], .after_nop
    sti
    nop
.after_nop:
    cli
    call show_irq
    PRINT "in-service register after eoi "
    mov al, 0x0b
    out 0x20, al
    in al, 0x20
    movzx eax, al
    call hex2
    call newline
    PRINT "done", 10
    ret

; Waits (IF clear) until the PIC's IRR shows IRQ 0.
wait_pending:
    mov al, 0x0a
    out 0x20, al
    mov ecx, 10000000
.w: in al, 0x20
    test al, 1
    jnz .ok
    loop .w
    PRINT "irq 0 never became pending", 10
    mov al, 4
    jmp exit
.ok: ret

show_irq:
    PRINT "vector "
    mov eax, [irq_vec]
    call hex2
    PRINT " eip+"
    mov eax, [irq_eip]
    sub eax, [expect_eip]
    call hex
    PRINT " ticks "
    mov eax, [ticks]
    call hex
    call newline
    ret

irq_handler:
    cmp dword [ebp + F_VEC], 0x20
    jne report_trap
    inc dword [ticks]
    mov eax, [ebp + F_VEC]
    mov [irq_vec], eax
    mov eax, [ebp + F_EIP]
    mov [irq_eip], eax
    and dword [ebp + F_EFLAGS], ~0x200   ; return with interrupts off
    mov al, 0x20
    out 0x20, al
    ret

ticks: dd 0
irq_vec: dd 0
irq_eip: dd 0

%include "tail.inc"
