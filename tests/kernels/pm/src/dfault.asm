; #DF through a task gate: a ring-3 INT 0x80 whose ring-0 stack page (TSS.esp0) is not
; present raises #PF while delivering; delivering that #PF faults again, which is a double
; fault; vector 8 is a task gate, so the CPU switches to TSS2 (its own stack and CR3) and
; pushes the error code 0 there. The #DF task checks TR, the back link, NT and CR2.
%include "lib.inc"

PD  equ 0x200000
PT0 equ 0x201000

main:
    PRINT "dfault", 10
    xor ecx, ecx
.id: mov eax, ecx
    shl eax, 12
    or eax, 7
    mov [PT0 + ecx*4], eax
    inc ecx
    cmp ecx, 1024
    jne .id
    mov edi, PD
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [PD], PT0 | 7
    mov dword [PT0 + 0x7f*4], 0        ; the page below ESP0: not present
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    ; the #DF task
    mov dword [tss2 + 0x1c], PD
    mov dword [tss2 + 0x20], df_task
    mov dword [tss2 + 0x24], 2
    mov dword [tss2 + 0x38], 0x60000
    mov dword [tss2 + 0x48], KDATA
    mov dword [tss2 + 0x4c], KCODE
    mov dword [tss2 + 0x50], KDATA
    mov dword [tss2 + 0x54], KDATA
    mov dword [tss2 + 0x58], KDATA
    mov dword [tss2 + 0x5c], KDATA
    mov word [tss2 + 0x66], 104
    ; IDT gate 8: task gate to TSS2
    mov dword [idt + 8*8], TSS2 << 16
    mov dword [idt + 8*8 + 4], 0x8500
    mov eax, user
    mov ecx, 0x3000
    call to_user
    PRINT "returned from ring 3 (unexpected)", 10
    mov al, 5
    jmp exit

user:
    int 0x80
    PRINT "ring 3 continued (unexpected)", 10
    int 0x81

df_task:
    PRINT "double fault task: error "
    mov eax, [esp]
    call hex
    PRINT " stack esp+"
    mov eax, 0x60000
    sub eax, esp
    call hex
    PRINT " cr2 "
    mov eax, cr2
    call hex
    call newline
    PRINT "  tr "
    xor eax, eax
    str ax
    call hex
    PRINT " link "
    movzx eax, word [tss2]
    call hex
    PRINT " nt "
    pushfd
    pop eax
    and eax, 0x4000
    call hex
    call newline                       ; (the saved CS:EIP of a #DF is undefined: not printed)
    PRINT "done", 10
    mov al, 0
    jmp exit

%include "tail.inc"
