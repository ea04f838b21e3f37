; The stack rules when the stack's address size (SS.B) differs from the operand size and
; from the code segment's size (Intel SDM vol. 2, the Operation sections of PUSH, POP,
; PUSHA/PUSHAD, POPA/POPAD, PUSHF/PUSHFD, POPF/POPFD, CALL, RET, ENTER, LEAVE, INT n, IRET;
; vol. 3A 6.12 for exception and interrupt frames). A 16-bit stack (B=0) uses SP: only the
; low 16 bits of ESP change and offsets wrap at 64 KiB; a 32-bit stack uses all of ESP.
; Each expected value is worked out from that pseudocode in the comment above its test.
;
; The stack segments S16/S32/S16L share base 0x200000, so SS:x is the flat byte 0x200000+x.
%include "lib.inc"

S16   equ 0x68                 ; data, B=0, base 0x200000, limit 0xffff
S32   equ 0x70                 ; data, B=1, base 0x200000, limit 0xffff
S16L  equ 0x78                 ; data, B=0, base 0x200000, limit 0x0fff
C16   equ 0x80                 ; code, D=0, base 0x100000 (this image), limit 0xffff
UC16  equ 0x8b                 ; the same as ring-3 code (DPL 3, RPL 3)
SB    equ 0x200000             ; linear base of S16/S32/S16L
FLATSP equ 0x5f000             ; a scratch 32-bit stack (KDATA)
PD    equ 0x400000             ; page directory for the paging part
PT0   equ 0x401000             ; identity 0..4 MiB

; STK sel, esp: saves the flat ESP and switches to the stack sel:esp (clobbers AX).
%macro STK 2
    mov [flat_esp], esp
    mov ax, %1
    mov ss, ax
    mov esp, %2
%endmacro
; FLAT: back to KDATA and the saved ESP (clobbers AX).
%macro FLAT 0
    mov ax, KDATA
    mov ss, ax
    mov esp, [flat_esp]
%endmacro
; VAL "text", operand: prints the text and the operand in hex (no newline).
%macro VAL 2
    PRINT %1
    mov eax, %2
    call hex
%endmacro

; ---------------------------------------------------------------- 16-bit code (CS = C16)
; IP = label - 0x100000; the assertion after the block keeps it inside 64 KiB.
bits 16

; Near CALL/RET in 16-bit code on the 32-bit flat stack (ESP = FLATSP). CALL rel16
; (operand size 16): Push(IP) with StackAddrSize 32, ESP -= 2 -> 0x5effa (after the
; 4-byte push, 0x5effc). RET imm16: IP <- Pop(); ESP += 2, then ESP += 4 -> 0x5f000.
; CALL rel32 with 66h: Push(EIP), ESP -= 4 -> 0x5effc. The pushed IP is the offset of
; the instruction after the call.
c16_calls:
    push dword 0
    call .n
.n_ret:
    mov [dword r1], esp
    call dword .n2
    mov [dword r3], esp
    jmp dword KCODE:..@c16_calls_back
.n: mov [dword r0], esp
    movzx eax, word [esp]
    mov [dword r2], eax
    ret 4
.n2:
    mov [dword r4], esp
    o32 ret

; INT n through a 16-bit interrupt gate from 16-bit code on the 32-bit flat stack: the
; gate size decides the frame (vol. 3A 6.12.1): FLAGS, CS, IP as words, ESP -= 6 ->
; 0x5effa; IRET (16-bit) pops 6 bytes -> 0x5f000.
c16_int:
    int 0x91
.after:
    mov [dword r1], esp
    jmp dword KCODE:..@c16_int_back
h91:
    mov [dword r0], esp
    movzx eax, word [esp + 2]
    mov [dword r2], eax
    movzx eax, word [esp]
    mov [dword r3], eax
    iret

; #GP(selector) in 16-bit code on the 16-bit stack S16 (ESP = 0x2d2d0100), delivered
; through a 16-bit interrupt gate: FLAGS, CS, IP, error code as words, SP -= 8 -> ESP
; 0x2d2d00f8 (upper half kept). The handler drops the error code with ADD SP, 2 and
; returns with IRET (16-bit): SP = 0x100 -> ESP 0x2d2d0100.
c16_gp:
    mov ax, 0x0ff8
.f: mov es, ax
.r: mov [dword r1], esp
    jmp dword KCODE:..@c16_gp_back
hgp16:
    mov [dword r0], esp
    mov bx, sp
    movzx eax, word [ss:bx]
    mov [dword r2], eax
    movzx eax, word [ss:bx + 2]
    mov [dword r3], eax
    movzx eax, word [ss:bx + 4]
    mov [dword r4], eax
    add sp, 2
    mov word [ss:bx + 2], c16_gp.r - 0x100000
    iret
; Ring 3 in 16-bit code (CS = UC16, SS = UDATA with ESP 0x0002ff00): INT 0x94 through
; a 16-bit interrupt gate to ring 0 (C16), whose TSS stack is S16 with ESP0 0x12340200:
; SS, SP, FLAGS, CS, IP as words, SP 0x200 - 10 = 0x1f6; ESP keeps the interrupted
; upper half (as for INT 0x93 in main): 0x000201f6. The 16-bit IRET back pops SP
; and SS; the new SS is 32-bit, so ESP <- tempESP, the zero-extended word: 0x0000ff00
; (Bochs: ESP = new_esp when SS.B; QEMU: SET_ESP with the 32-bit mask).
u16_int:
    int 0x94
    mov [dword r4], esp
    int 0x81
h94:
    mov [dword r0], esp
    mov bx, sp
    movzx eax, word [ss:bx + 8]
    mov [dword r1], eax
    movzx eax, word [ss:bx + 6]
    mov [dword r2], eax
    movzx eax, word [ss:bx + 2]
    mov [dword r3], eax
    mov dword [dword tss1 + 8], KDATA
    mov dword [dword tss1 + 4], ESP0
    iret
c16_end:
bits 32
    times (c16_end - $$ < 0x10000) ? 0 : -1 db 0   ; the 16-bit code must sit below 64 KiB

main:
    PRINT "stack", 10
    DESC S16,  0x0000ffff, 0x00009220
    DESC S32,  0x0000ffff, 0x00409220
    DESC S16L, 0x00000fff, 0x00009220
    DESC C16,  0x0000ffff, 0x00009a10
    DESC (UC16 & ~3), 0x0000ffff, 0x0000fa10

    ; --- PUSH/POP r32 on a 16-bit stack. PUSH (OperandSize 32, StackAddrSize 16):
    ; SP <- SP - 4; SS:SP <- SRC. ESP 0x12340100 -> 0x123400fc, [ss:00fc] = cafef00d.
    ; POP: DEST <- SS:SP; SP <- SP + 4 -> 0x12340100 again.
    STK S16, 0x12340100
    push dword 0xcafef00d
    mov [r0], esp
    pop ebx
    mov [r1], esp
    mov [r2], ebx
    FLAT
    VAL "push dword, 16-bit stack: esp ", [r0]
    VAL " [ss:00fc] ", [SB + 0xfc]
    call newline
    VAL "pop dword, 16-bit stack: esp ", [r1]
    VAL " value ", [r2]
    call newline

    ; --- PUSH r16 (66h) on a 32-bit stack: ESP <- ESP - 2; 0x5f000 -> 0x5effe.
    STK KDATA, FLATSP
    push word 0xbeef
    mov [r0], esp
    movzx eax, word [esp]
    mov [r1], eax
    pop bx
    mov [r2], esp
    FLAT
    VAL "push word, 32-bit stack: esp ", [r0]
    VAL " [esp] ", [r1]
    VAL " pop word: esp ", [r2]
    call newline

    ; --- SP wrap: PUSH word at SP 0: SP <- 0 - 2 = 0xfffe (mod 64K), upper half kept:
    ; ESP 0x56780000 -> 0x5678fffe, the word at ss:fffe. PUSH dword: SP 0xfffa.
    ; POP dword: 0xfffe; POP word: SP <- 0xfffe + 2 = 0 -> ESP 0x56780000.
    STK S16, 0x56780000
    push word 0xbeef
    mov [r0], esp
    push dword 0x01020304
    mov [r1], esp
    pop ebx
    pop cx
    mov [r2], esp
    FLAT
    VAL "sp wrap: push word at sp 0: esp ", [r0]
    movzx eax, word [SB + 0xfffe]
    VAL " [ss:fffe] ", eax
    VAL " push dword: esp ", [r1]
    VAL " pops: esp ", [r2]
    call newline

    ; --- PUSH ESP pushes ESP as it was before the push (PUSH: "the value of ESP as it
    ; existed before the instruction"): 0x9abc0200 at ss:01fc, ESP 0x9abc01fc.
    STK S16, 0x9abc0200
    push esp
    mov [r0], esp
    pop ebx
    FLAT
    VAL "push esp, 16-bit stack: pushed ", [SB + 0x1fc]
    VAL " esp ", [r0]
    call newline

    ; --- PUSHAD on a 16-bit stack: Temp <- ESP (all 32 bits); eight dwords below SP:
    ; EAX at ss:00fc ... ESP image at ss:00ec ... EDI at ss:00e0; ESP 0x111100e0.
    ; POPAD skips the ESP image (changed to 0 here) and adds 32 to SP: ESP 0x11110100;
    ; EAX comes from ss:00fc (changed to 0000aaaa).
    STK S16, 0x11110100
    mov eax, 0x12121212
    pushad
    mov [r0], esp
    mov ebx, [SB + 0xec]
    mov [r1], ebx
    mov dword [SB + 0xec], 0
    mov dword [SB + 0xfc], 0xaaaa
    popad
    mov [r2], esp
    mov [r3], eax
    FLAT
    VAL "pushad, 16-bit stack: esp ", [r0]
    VAL " esp image ", [r1]
    VAL " popad: esp ", [r2]
    VAL " eax ", [r3]
    call newline

    ; --- PUSHA (66h) on a 32-bit stack: Temp <- SP; eight words, ESP -= 16 -> 0x5eff0;
    ; the SP image (5th word, at 0x5eff6) is 0xf000. POPA: ESP += 16 -> 0x5f000.
    STK KDATA, FLATSP
    pushaw
    mov [r0], esp
    movzx ebx, word [esp + 6]
    mov [r1], ebx
    popaw
    mov [r2], esp
    FLAT
    VAL "pushaw, 32-bit stack: esp ", [r0]
    VAL " sp image ", [r1]
    VAL " popaw: esp ", [r2]
    call newline

    ; --- PUSHFD/POPFD on a 16-bit stack: POPFD pops 4 bytes (SP += 4), EFLAGS = 0x8d5
    ; plus the reserved bit 1 = 0x8d7; PUSHFD: SP -= 4 -> ESP 0x7e7e00fc, [ss:00fc] 8d7.
    STK S16, 0x7e7e0100
    push dword 0x8d5
    popfd
    mov [r1], esp
    pushfd
    mov [r0], esp
    popfd
    FLAT
    push dword 2
    popfd
    VAL "pushfd, 16-bit stack: esp ", [r0]
    VAL " [ss:00fc] ", [SB + 0xfc]
    VAL " popfd: esp ", [r1]
    call newline
    ; PUSHF (66h) on a 32-bit stack: ESP -= 2 -> 0x5effe; POPF: back to 0x5f000.
    STK KDATA, FLATSP
    pushfw
    mov [r0], esp
    popfw
    mov [r1], esp
    FLAT
    VAL "pushfw, 32-bit stack: esp ", [r0]
    VAL " popfw: esp ", [r1]
    call newline

    ; --- CALL rel32 / RET imm16 on a 16-bit stack across the wrap: ESP 0x7777fff8;
    ; CALL: SP <- 0xfff4, the return EIP at ss:fff4; RET 8: EIP <- Pop() (SP 0xfff8),
    ; then SP <- SP + 8 = 0x10000 mod 64K = 0 -> ESP 0x77770000.
    STK S16, 0x7777fff8
    call .near1
.near1_ret:
    mov [r1], esp
    FLAT
    VAL "call near, 16-bit stack: esp ", [r0]
    mov eax, [SB + 0xfff4]
    sub eax, .near1_ret
    VAL " return eip-label ", eax
    VAL " ret 8: esp ", [r1]
    call newline
    jmp .near1_done
.near1:
    mov [r0], esp
    ret 8
.near1_done:

    ; --- CALL FAR (same privilege, operand size 32) on a 16-bit stack: Push(CS) then
    ; Push(EIP), 4 bytes each, SP -= 8 -> ESP 0x444400f8; CS at ss:00fc (the dword was
    ; zeroed first: some processors write only the selector's 16 bits). RETF 4: pops EIP,
    ; CS (SP += 8), then SP += 4 -> ESP 0x44440104.
    mov dword [SB + 0xfc], 0
    STK S16, 0x44440100
    call KCODE:.far1
.far1_ret:
    mov [r1], esp
    FLAT
    VAL "call far, 16-bit stack: esp ", [r0]
    VAL " cs ", [SB + 0xfc]
    mov eax, [SB + 0xf8]
    sub eax, .far1_ret
    VAL " eip-label ", eax
    VAL " retf 4: esp ", [r1]
    call newline
    jmp .far1_done
.far1:
    mov [r0], esp
    retf 4
.far1_done:

    ; CALL FAR at SP 4: CS at ss:0000, EIP at ss:fffc (the frame wraps at 64K, each
    ; Push is SP <- SP - 4 modulo 64K; see INT 0x90 at SP 4 below for Bochs and QEMU),
    ; ESP 0x4545fffc; RETF: SP 0xfffc + 8 = 0x0004 (mod 64K).
    mov dword [SB], 0
    STK S16, 0x45450004
    call KCODE:.far2
.far2_ret:
    mov [r1], esp
    FLAT
    VAL "call far at sp 4, frame wraps: esp ", [r0]
    VAL " cs ", [SB]
    mov eax, [SB + 0xfffc]
    sub eax, .far2_ret
    VAL " eip-label ", eax
    VAL " retf: esp ", [r1]
    call newline
    jmp .far2_done
.far2:
    mov [r0], esp
    retf
.far2_done:

    ; --- 16-bit code on a 32-bit stack (see c16_calls for the values).
    STK KDATA, FLATSP
    jmp C16:(c16_calls - 0x100000)
..@c16_calls_back:
    FLAT
    VAL "16-bit code, 32-bit stack: call esp ", [r0]
    mov eax, [r2]
    sub eax, c16_calls.n_ret - 0x100000
    VAL " ip-label ", eax
    VAL " ret 4: esp ", [r1]
    VAL " o32 call: esp ", [r4]
    VAL " o32 ret: esp ", [r3]
    call newline

    ; --- POP m with ESP as the base: POP computes the address after incrementing ESP.
    ; PUSH aaaa, PUSH bbbb (ESP 0x5eff8); POP [ESP]: reads bbbb, ESP 0x5effc, writes it at
    ; 0x5effc over aaaa; POP EAX -> bbbb, ESP 0x5f000.
    STK KDATA, FLATSP
    push dword 0xaaaa
    push dword 0xbbbb
    pop dword [esp]
    pop eax
    mov [r0], eax
    mov [r1], esp
    ; PUSH m with ESP as the base uses ESP before the push: PUSH 1111, PUSH 2222,
    ; PUSH [ESP+4] copies 1111.
    push dword 0x1111
    push dword 0x2222
    push dword [esp + 4]
    pop eax
    mov [r2], eax
    add esp, 8
    ; POP word [ESP] (66h, 32-bit stack): reads 5678 at 0x5effc, ESP 0x5effe, writes
    ; there; POP AX -> 5678.
    push word 0x1234
    push word 0x5678
    pop word [esp]
    pop ax
    movzx eax, ax
    mov [r3], eax
    FLAT
    VAL "pop [esp]: eax ", [r0]
    VAL " esp ", [r1]
    VAL " push [esp+4]: ", [r2]
    VAL " pop word [esp]: ", [r3]
    call newline
    ; POP [ESP] on a 16-bit stack (32-bit addressing, ESP upper half 0): SP 0xf8 -> 0xfc,
    ; writes bbbb at ss:00fc.
    STK S16, 0x100
    push dword 0xaaaa
    push dword 0xbbbb
    pop dword [esp]
    mov [r0], esp
    FLAT
    VAL "pop [esp], 16-bit stack: esp ", [r0]
    VAL " [ss:00fc] ", [SB + 0xfc]
    call newline

    ; --- POP SS changing the stack size: the pop moves the pointer of the stack it read
    ; from (POP: StackAddrSize of the current SS). 32-bit SS, ESP 0x0000fffc: ESP <- ESP
    ; + 4 = 0x00010000 (new SS is 16-bit; a 16-bit update would give 0). 16-bit SS, ESP
    ; 0x0001fffc: SP <- 0xfffc + 4 = 0 -> ESP 0x00010000 (a 32-bit update would give
    ; 0x00020000).
    mov dword [SB + 0xfffc], S16
    STK S32, 0x0000fffc
    pop ss
    mov ebx, esp
    FLAT
    VAL "pop ss, 32-bit to 16-bit stack: esp ", ebx
    call newline
    mov dword [SB + 0xfffc], S32
    STK S16, 0x0001fffc
    pop ss
    mov ebx, esp
    FLAT
    VAL "pop ss, 16-bit to 32-bit stack: esp ", ebx
    call newline

    ; --- PUSH DS / POP ES, operand size 32, 16-bit stack: SP -= 4 then += 4.
    STK S16, 0x2b2b0100
    push ds
    mov [r0], esp
    pop es
    mov [r1], esp
    o16 push ds
    mov [r2], esp
    o16 pop es
    FLAT
    mov ax, KDATA
    mov es, ax
    VAL "push ds/pop es, 16-bit stack: esp ", [r0]
    VAL " ", [r1]
    VAL " o16 push ds: esp ", [r2]
    call newline

    ; --- LEAVE: StackAddressSize 16: SP <- BP; OperandSize 32: EBP <- Pop(). ESP
    ; 0x55550040, EBP 0xaaaa0080, [ss:0080] deadbeef: ESP 0x55550084 (ESP's upper half,
    ; not EBP's), EBP deadbeef.
    mov dword [SB + 0x80], 0xdeadbeef
    STK S16, 0x55550040
    mov ebp, 0xaaaa0080
    leave
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "leave, 16-bit stack: esp ", [r0]
    VAL " ebp ", [r1]
    call newline
    ; 66h LEAVE on a 32-bit stack: ESP <- EBP (0x5e000); BP <- Pop() (word 1234), ESP
    ; 0x5e002, EBP's upper half kept: 0x00051234.
    mov word [0x5e000], 0x1234
    STK KDATA, FLATSP
    mov ebp, 0x5e000
    o16 leave
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "o16 leave, 32-bit stack: esp ", [r0]
    VAL " ebp ", [r1]
    call newline

    ; --- ENTER, operand size 32, 16-bit stack (ENTER: Push(EBP); FrameTemp <- ESP;
    ; ...; EBP <- FrameTemp; SP <- SP - AllocSize). ESP 0x33330100, EBP 0x22220200.
    ; Level 0, ENTER 10h,0: EBP pushed at ss:00fc, FrameTemp = ESP = 0x333300fc (ESP's
    ; upper half), SP 0xfc - 0x10 = 0xec.
    STK S16, 0x33330100
    mov ebp, 0x22220200
    enter 0x10, 0
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "enter 10h,0 16-bit stack: esp ", [r0]
    VAL " ebp ", [r1]
    VAL " [ss:00fc] ", [SB + 0xfc]
    call newline
    ; Level 1, ENTER 8,1: then Push(FrameTemp) at ss:00f8, SP 0xf8 - 8 = 0xf0.
    STK S16, 0x33330100
    mov ebp, 0x22220200
    enter 8, 1
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "enter 8,1 16-bit stack: esp ", [r0]
    VAL " ebp ", [r1]
    VAL " [ss:00f8] ", [SB + 0xf8]
    call newline
    ; Level 3, ENTER 4,3: two frame pointers copied from BP - 4 (ss:01fc, a1a1a1a1) and
    ; BP - 8 (ss:01f8, a2a2a2a2) to ss:00f8 and ss:00f4 (StackSize 16: BP <- BP - 4;
    ; Push([BP])), FrameTemp at ss:00f0, SP 0xf0 - 4 = 0xec.
    mov dword [SB + 0x1fc], 0xa1a1a1a1
    mov dword [SB + 0x1f8], 0xa2a2a2a2
    STK S16, 0x33330100
    mov ebp, 0x22220200
    enter 4, 3
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "enter 4,3 16-bit stack: esp ", [r0]
    VAL " ebp ", [r1]
    VAL " frame ", [SB + 0xf8]
    VAL " ", [SB + 0xf4]
    VAL " ", [SB + 0xf0]
    call newline
    ; 66h ENTER 4,2 on a 32-bit stack: Push(BP) (0x2000 at 0x50ffe); FrameTemp <- SP =
    ; 0x0ffe; EBP <- EBP - 2 (StackSize 32), Push([EBP]) (the word 7777 at 0x301ffe, to
    ; 0x50ffc); Push(FrameTemp) at 0x50ffa; ESP 0x50ffa - 4 = 0x50ff6; BP <- FrameTemp:
    ; EBP 0x00300ffe (upper half of EBP kept).
    mov word [0x301ffe], 0x7777
    STK KDATA, 0x51000
    mov ebp, 0x302000
    o16 enter 4, 2
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "o16 enter 4,2 32-bit stack: esp ", [r0]
    VAL " ebp ", [r1]
    movzx eax, word [0x50ffc]
    VAL " frame ", eax
    movzx eax, word [0x50ffa]
    VAL " ", eax
    call newline
    ; ENTER 20h,0 with SP 0x10: EBP at ss:000c, SP <- 0x0c - 0x20 = 0xffec (mod 64K);
    ; the final dword at ss:ffec is inside the limit: ESP 0x6666ffec, EBP 0x6666000c.
    STK S16, 0x66660010
    enter 0x20, 0
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "enter 20h,0 at sp 0x10: esp ", [r0]
    VAL " ebp ", [r1]
    call newline
    ; ENTER 800h,0 on S16L (limit 0xfff), ESP 0x400: the final SP 0x3fc - 0x800 = 0xfbfc
    ; is past the limit: #SS(0) (ENTER: "#SS(0) if the new value of SP is outside the
    ; stack segment limit"), at the ENTER, with ESP and EBP unchanged (the handler runs
    ; on this stack: 0x400 leaves it room).
    PRINT "enter past a 16-bit stack's limit: "
    STK S16L, 0x400
    mov ebp, 0x13579bdf
    EXPECT .ent_ss, .ent_ss_n
.ent_ss:
    enter 0x800, 0
    NOTRAP
.ent_ss_n:
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "  after: esp ", [r0]
    VAL " ebp ", [r1]
    call newline

    ; --- INT n through a 32-bit interrupt gate onto a 16-bit stack, same privilege:
    ; EFLAGS, CS, EIP as dwords, SP -= 12 -> ESP 0x5a5a00f4; EFLAGS 0x8d7 as set by POPFD.
    ; IRETD pops 12 bytes from SS:SP -> ESP 0x5a5a0100.
    mov ecx, 0x90
    mov eax, h90
    mov dx, KCODE
    mov bl, 0x8e
    call set_idt
    push dword 0x8d5
    popfd
    STK S16, 0x5a5a0100
    int 0x90
.int90_ret:
    mov [r4], esp
    FLAT
    push dword 2
    popfd
    VAL "int 0x90, 32-bit gate, 16-bit stack: esp ", [r0]
    mov eax, [r1]
    sub eax, .int90_ret
    VAL " eip-label ", eax
    VAL " cs ", [r2]
    VAL " eflags ", [r3]
    VAL " iretd: esp ", [r4]
    call newline

    ; The same at SP 4: EFLAGS at ss:0000, CS at ss:fffc, EIP at ss:fff8 (each push is
    ; SP <- SP - 4 modulo 64K; the limit 0xffff holds every offset), ESP 0x5b5bfff8;
    ; IRETD pops them back in the same order: SP 0xfff8 + 12 = 0x0004 (mod 64K). The
    ; manual's "#SS(0) if the stack has no room for the frame" does not say how a frame
    ; that wraps counts; Bochs (each element written at (Bit16u)(SP - n) with its own
    ; limit check) and QEMU (SP masked with 0xffff per push) both deliver it.
    push dword 0x8d5
    popfd
    STK S16, 0x5b5b0004
    int 0x90
.int90w_ret:
    mov [r4], esp
    FLAT
    push dword 2
    popfd
    VAL "int 0x90 at sp 4, frame wraps: esp ", [r0]
    mov eax, [r1]
    sub eax, .int90w_ret
    VAL " eip-label ", eax
    VAL " cs ", [r2]
    VAL " eflags ", [r3]
    VAL " iretd: esp ", [r4]
    call newline

    ; --- INT n through a 16-bit gate from 16-bit code on a 32-bit stack (c16_int).
    mov ecx, 0x91
    mov eax, h91 - 0x100000
    mov dx, C16
    mov bl, 0x86
    call set_idt
    STK KDATA, FLATSP
    jmp C16:(c16_int - 0x100000)
..@c16_int_back:
    FLAT
    VAL "int 0x91, 16-bit gate, 32-bit stack: esp ", [r0]
    VAL " cs ", [r2]
    mov eax, [r3]
    sub eax, c16_int.after - 0x100000
    VAL " ip-label ", eax
    VAL " iret: esp ", [r1]
    call newline

    ; --- #GP(0ff8h) (MOV ES with a selector past the GDT limit) through a 32-bit gate
    ; onto a 16-bit stack: EFLAGS, CS, EIP, error code as dwords, SP -= 16 -> ESP
    ; 0x3c3c00f0; the handler drops the error code with ADD SP, 4 and IRETD pops 12:
    ; ESP 0x3c3c0100.
    mov eax, [idt + 13*8]
    mov [idt13], eax
    mov eax, [idt + 13*8 + 4]
    mov [idt13 + 4], eax
    mov ecx, 13
    mov eax, hgp
    mov dx, KCODE
    mov bl, 0x8e
    call set_idt
    STK S16, 0x3c3c0100
    mov ax, 0x0ff8
.gp32:
    mov es, ax
.gp32_r:
    mov [r3], esp
    FLAT
    VAL "#GP, 32-bit gate, 16-bit stack: esp ", [r0]
    VAL " err ", [r1]
    mov eax, [r2]
    sub eax, .gp32
    VAL " eip-label ", eax
    VAL " iretd: esp ", [r3]
    call newline
    ; --- the same from 16-bit code through a 16-bit gate (c16_gp).
    mov ecx, 13
    mov eax, hgp16 - 0x100000
    mov dx, C16
    mov bl, 0x86
    call set_idt
    STK S16, 0x2d2d0100
    jmp C16:(c16_gp - 0x100000)
..@c16_gp_back:
    FLAT
    mov eax, [idt13]
    mov [idt + 13*8], eax
    mov eax, [idt13 + 4]
    mov [idt + 13*8 + 4], eax
    mov ax, KDATA
    mov es, ax
    VAL "#GP, 16-bit gate, 16-bit stack: esp ", [r0]
    VAL " err ", [r2]
    VAL " cs ", [r4]
    mov eax, [r3]
    sub eax, c16_gp.f - 0x100000
    VAL " ip-label ", eax
    VAL " iret: esp ", [r1]
    call newline

    ; --- INT from ring 3 through a 32-bit gate to ring 0 whose TSS stack (SS0) is the
    ; 16-bit S16 with ESP0 0xabcd0100: SS, ESP, EFLAGS, CS, EIP as dwords from SP 0x100,
    ; SP 0x100 - 20 = 0xec. Only SP is loaded from the TSS: the manual's INT pseudocode
    ; leaves ESP's upper half open for a 16-bit new stack; Bochs (exception.cc, SP =
    ; temp_SP) and QEMU (seg_helper.c, SET_ESP with the 0xffff mask) both keep the
    ; interrupted ESP's upper half, here 0x0001 from the ring-3 ESP 0x0001ff00: ESP
    ; 0x000100ec. IRETD to ring 3 pops SS:ESP = 0x23:0x0001ff00 (32-bit SS: all of ESP).
    mov ecx, 0x93
    mov eax, h93
    mov dx, KCODE
    mov bl, 0xee
    call set_idt
    mov dword [tss1 + 8], S16
    mov dword [tss1 + 4], 0xabcd0100
    mov eax, user_int
    xor ecx, ecx
    call to_user
    VAL "int from ring 3 onto a 16-bit ring-0 stack: esp ", [r0]
    VAL " old ss ", [r1]
    VAL " old esp ", [r2]
    VAL " cs ", [r3]
    VAL " iretd to ring 3: esp ", [r4]
    call newline

    ; --- CALL FAR from ring 3 through the 32-bit call gate CGATE (2 dword parameters) to
    ; ring 0 with SS0 = S16, ESP0 0x56780100. CALL, to more privilege: SS, ESP, the two
    ; parameters, CS, EIP as dwords from SP 0x100: SP 0xe8. As for INT, only SP comes
    ; from the TSS and ESP keeps the caller's upper half (Bochs call_far.cc: SP = temp_SP;
    ; QEMU: SET_ESP): ring 3 ESP 0x0003fef8 after its two pushes -> 0x000300e8. The
    ; parameters are copied in order: 22222222 (pushed last) at SP + 8. RETF 8: pops EIP,
    ; CS, releases 8 bytes, pops ESP and SS, then ESP + 8 on the 32-bit outer stack:
    ; 0x0003ff00.
    mov eax, hcg
    mov ebx, CGATE & ~3
    call set_gate
    mov dword [tss1 + 8], S16
    mov dword [tss1 + 4], 0x56780100
    mov eax, user_cg
    xor ecx, ecx
    call to_user
    VAL "call gate from ring 3 onto a 16-bit ring-0 stack: esp ", [r0]
    VAL " old esp ", [r1]
    VAL " params ", [r2]
    VAL " ", [r3]
    VAL " retf 8 to ring 3: esp ", [r4]
    call newline

    ; --- the same through a 16-bit gate from 16-bit ring-3 code (u16_int).
    mov ecx, 0x94
    mov eax, h94 - 0x100000
    mov dx, C16
    mov bl, 0xe6
    call set_idt
    mov dword [tss1 + 8], S16
    mov dword [tss1 + 4], 0x12340200
    mov eax, u16_int - 0x100000
    call to_user16
    VAL "int from 16-bit ring 3, 16-bit gate, 16-bit ring-0 stack: esp ", [r0]
    VAL " old ss ", [r1]
    VAL " old sp ", [r2]
    VAL " cs ", [r3]
    VAL " iret to ring 3: esp ", [r4]
    call newline

    ; --- Paging: identity 0..4 MiB, user and writable, except page 0x60000 (absent)
    ; and page 0x6e000 (supervisor only).
    mov edi, PD
    mov ecx, 2048
    xor eax, eax
    rep stosd
    xor ecx, ecx
.pt:
    mov eax, ecx
    shl eax, 12
    or eax, 7
    mov [PT0 + ecx*4], eax
    inc ecx
    cmp ecx, 1024
    jne .pt
    mov dword [PT0 + 0x60*4], 0
    mov dword [PT0 + 0x6e*4], 0x6e000 | 3
    mov dword [PD], PT0 | 7
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    ; ENTER 1000h,0 at ESP 0x61800: EBP pushed at 0x617fc; the final ESP 0x607fc lies
    ; in the absent page. ENTER: "#PF if a write using the final value of the stack
    ; pointer would cause a page fault": #PF, error 2 (not present, write, supervisor),
    ; CR2 0x607fc, at the ENTER, ESP and EBP unchanged.
    PRINT "enter, final esp in an absent page: "
    STK KDATA, 0x61800
    mov ebp, 0x12345678
    EXPECT .ent_pf, .ent_pf_n
.ent_pf:
    enter 0x1000, 0
    NOTRAP
.ent_pf_n:
    mov [r0], esp
    mov [r1], ebp
    FLAT
    VAL "  after: esp ", [r0]
    VAL " ebp ", [r1]
    call newline
    ; Ring 3, ESP 0x6f010: EBP pushed at 0x6f00c (user page), the final ESP 0x6efec in
    ; the supervisor page: #PF, error 7 (present, write, user), CR2 0x6efec; ESP and EBP
    ; unchanged when the handler returns to ring 3.
    EXPECTD "ring-3 enter, final esp in a supervisor page: ", user_enter.pf, user_enter.pf_n
    mov eax, user_enter
    xor ecx, ecx
    call to_user
    VAL "  after: esp ", [r0]
    VAL " ebp ", [r1]
    call newline
    mov eax, cr0
    and eax, 0x7fffffff
    mov cr0, eax
    ret

; to_user16: like to_user, but runs IP = EAX in the 16-bit ring-3 segment UC16 with
; SS:ESP = UDATA:0x0002ff00, IOPL 0, IF 0; returns when ring 3 executes int 0x81.
to_user16:
    mov [saved_esp], esp
    push dword UDATA
    push dword 0x0002ff00
    push dword 0
    push dword UC16
    push eax
    mov dx, UDATA
    mov ds, dx
    mov es, dx
    mov fs, dx
    mov gs, dx
    iretd

; set_idt: gate ECX -> DX:EAX with access byte BL (8eh 32-bit interrupt gate, 86h 16-bit,
; eeh 32-bit DPL 3).
set_idt:
    mov [idt + ecx*8], ax
    mov [idt + ecx*8 + 2], dx
    mov byte [idt + ecx*8 + 4], 0
    mov [idt + ecx*8 + 5], bl
    shr eax, 16
    mov [idt + ecx*8 + 6], ax
    ret

; int 0x90 handler on a 16-bit stack whose ESP has a nonzero upper half: addresses the
; frame through SP, stepping in 16 bits because the frame may wrap at 64 KiB.
h90:
    mov [r0], esp
    movzx ebx, sp
    mov eax, [ss:ebx]
    mov [r1], eax
    add bx, 4
    mov eax, [ss:ebx]
    and eax, 0xffff
    mov [r2], eax
    add bx, 4
    mov eax, [ss:ebx]
    mov [r3], eax
    iretd

; #GP handler (32-bit gate) on a 16-bit stack: records ESP, the error code and EIP, drops
; the error code, resumes after the faulting MOV.
hgp:
    mov [r0], esp
    movzx ebx, sp
    mov eax, [ss:ebx]
    mov [r1], eax
    mov eax, [ss:ebx + 4]
    mov [r2], eax
    add sp, 4
    mov dword [ss:ebx + 4], main.gp32_r
    iretd

; int 0x93 handler (ring 0 on the 16-bit TSS stack): records the frame, puts the flat
; ring-0 stack back in the TSS, returns to ring 3.
h93:
    mov [r0], esp
    movzx ebx, sp
    mov eax, [ss:ebx + 16]
    and eax, 0xffff
    mov [r1], eax
    mov eax, [ss:ebx + 12]
    mov [r2], eax
    mov eax, [ss:ebx + 4]
    and eax, 0xffff
    mov [r3], eax
    mov dword [tss1 + 8], KDATA
    mov dword [tss1 + 4], ESP0
    iretd

; Call-gate target (ring 0 on the 16-bit TSS stack): records the frame, puts the flat
; ring-0 stack back in the TSS, returns to ring 3 releasing the parameters.
hcg:
    mov [r0], esp
    movzx ebx, sp
    mov eax, [ss:ebx + 16]
    mov [r1], eax
    mov eax, [ss:ebx + 8]
    mov [r2], eax
    mov eax, [ss:ebx + 12]
    mov [r3], eax
    mov dword [tss1 + 8], KDATA
    mov dword [tss1 + 4], ESP0
    retf 8

; Ring 3: two parameters, CALL FAR through the gate, then back to ring 0.
user_cg:
    mov esp, 0x3ff00
    push dword 0x11111111
    push dword 0x22222222
    call CGATE:0
    mov [r4], esp
    int 0x81

; Ring 3: INT 0x93 from ESP 0x1ff00, then back to ring 0.
user_int:
    mov esp, 0x1ff00
    int 0x93
    mov [r4], esp
    int 0x81

; Ring 3: ENTER whose final frame would be in the supervisor page.
user_enter:
    mov esp, 0x6f010
    mov ebp, 0x0badf00d
.pf:
    enter 0x20, 0
    NOTRAP
.pf_n:
    mov [r0], esp
    mov [r1], ebp
    int 0x81

    align 4
flat_esp: dd 0
idt13:    dd 0, 0
r0: dd 0
r1: dd 0
r2: dd 0
r3: dd 0
r4: dd 0

%include "tail.inc"
