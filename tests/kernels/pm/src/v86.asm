; Virtual-8086 mode: entered by IRET with EFLAGS.VM from ring 0; real-mode addressing
; (segment * 16); INT n at IOPL 3 through a DPL-3 interrupt gate to ring 0 (the nine-dword
; frame with ES DS FS GS, data segment registers nulled in the handler); CLI at IOPL 0
; faults with #GP(0). Each v86 run ends in its trap, and the handler returns to main.
%include "lib.inc"

V86SEG equ 0x2000                        ; code and data at linear 0x20000
V86SS  equ 0x3000

main:
    PRINT "v86", 10
    mov dword [handler], v86_handler
    mov byte [idt + 0x31*8 + 5], 0xEE     ; gate 0x31 callable at CPL 3
    mov esi, v86_blob
    mov edi, V86SEG * 16
    mov ecx, v86_blob_end - v86_blob
    rep movsb
    mov eax, 0x23002                      ; VM, IOPL 3
    mov ebx, v86a - v86_blob
    call enter_v86
    PRINT "back in ring 0: word at 2000:0100 "
    movzx eax, word [V86SEG * 16 + 0x100]
    call hex
    PRINT ", flags pushed in v86 "
    movzx eax, word [V86SEG * 16 + 0x102]
    and eax, 0x3000
    call hex
    call newline
    mov eax, 0x20002                      ; VM, IOPL 0
    mov ebx, v86b - v86_blob
    call enter_v86
    PRINT "done", 10
    ret

enter_v86:
    mov [saved_esp], esp
    push dword 0x2200                     ; GS
    push dword 0x2100                     ; FS
    push dword V86SEG                     ; DS
    push dword V86SEG                     ; ES
    push dword V86SS                      ; SS
    push dword 0x1000                     ; ESP
    push eax                              ; EFLAGS
    push dword V86SEG                     ; CS
    push ebx                              ; EIP
    iretd

v86_handler:
    PRINT "trap from v86: vector "
    mov eax, [ebp + F_VEC]
    call hex2
    PRINT " err "
    mov eax, [ebp + F_ERR]
    call hex
    PRINT " eip "
    mov eax, [ebp + F_EIP]
    call hex
    PRINT " cs "
    mov eax, [ebp + F_CS]
    call hex
    PRINT " eflags "
    mov eax, [ebp + F_EFLAGS]
    and eax, 0x23302
    call hex
    call newline
    PRINT "  esp "
    mov eax, [ebp + F_ESP]
    call hex
    PRINT " ss "
    mov eax, [ebp + F_SS]
    call hex
    PRINT " es "
    mov eax, [ebp + F_SS + 4]
    call hex
    PRINT " ds "
    mov eax, [ebp + F_SS + 8]
    call hex
    PRINT " fs "
    mov eax, [ebp + F_SS + 12]
    call hex
    PRINT " gs "
    mov eax, [ebp + F_SS + 16]
    call hex
    call newline
    PRINT "  ring-0 ds/es on entry "
    mov eax, [ebp + F_DS]
    and eax, 0xffff
    call hex
    call space
    mov eax, [ebp + F_ES]
    and eax, 0xffff
    call hex
    PRINT ", frame at esp0-"
    mov eax, ESP0
    lea ebx, [ebp + F_EIP]
    sub eax, ebx
    call hex
    call newline
    jmp back_to_ring0

    bits 16
v86_blob:
v86a:
    mov ax, 0x1234
    mov [0x100], ax
    pushf
    pop cx
    mov [0x102], cx
    sub sp, 6
    int 0x31
v86b:
    nop
    cli
    hlt
v86_blob_end:
    bits 32

%include "tail.inc"
