; Segmentation: bases and byte-granular limits in FS/GS, expand-down data segments (32- and
; 16-bit upper bounds), read-only and execute-only segments, the accessed bit, an LDT
; (lldt, TI=1 selectors, #NP/#GP on its entries), a 16-bit code segment, a conforming code
; segment called from ring 3 (CPL stays 3), and LAR/LSL/VERR/VERW in ring 0.
%include "lib.inc"

BASEDATA equ 0x68                      ; data, base 0x300000, limit 0xfff, byte granular
EXPDOWN  equ 0x70                      ; data, expand-down, limit 0xfff, B=1
EXPDN16  equ 0x78                      ; data, expand-down, limit 0xfff, B=0
RODATA   equ 0x80                      ; data, read-only, flat
XOCODE   equ 0x88                      ; code, execute-only, flat
RCODE    equ 0x90                      ; code, readable, flat
LDTDESC  equ 0x98                      ; LDT at `ldt`, two entries
CODE16   equ 0xa0                      ; 16-bit code, base 0, limit 0xffff
CONFORM  equ 0xa8                      ; conforming readable code, DPL 0, flat
FRESH    equ 0xb0                      ; data, accessed bit clear
UEXPDN   equ 0xbb                      ; ring-3 data, expand-down, limit 0x6ffff, B=1 (RPL 3)

main:
    PRINT "segments", 10
    DESC BASEDATA, 0x00000fff, 0x00409230
    DESC EXPDOWN,  0x00000fff, 0x00409600
    DESC EXPDN16,  0x00000fff, 0x00009600
    DESC RODATA,   0x0000ffff, 0x00cf9000
    DESC XOCODE,   0x0000ffff, 0x00cf9800
    DESC RCODE,    0x0000ffff, 0x00cf9a00
    DESC CODE16,   0x0000ffff, 0x00009a00
    DESC CONFORM,  0x0000ffff, 0x00cf9e00
    DESC FRESH,    0x0000ffff, 0x00cf9200
    DESC (UEXPDN & ~3), 0x0000ffff, 0x0046f600
    mov eax, ldt
    shl eax, 16
    or eax, 15                         ; limit: two entries
    mov [gdt + LDTDESC], eax
    mov eax, ldt
    and eax, 0xff000000
    mov ebx, ldt
    shr ebx, 16
    and ebx, 0xff
    or eax, ebx
    or eax, 0x8200                     ; present LDT descriptor
    mov [gdt + LDTDESC + 4], eax

    ; --- base and limit ---
    mov ax, BASEDATA
    mov fs, ax
    mov dword [fs:0x10], 0x600dcafe
    SHOW "fs base 0x300000: flat read of 0x300010 ", [0x300010]
    SHOW "fs:[0xffc] dword (last in limit) ", [fs:0xffc]
    PRINT "fs:[0xffd] dword: "
    EXPECT .l1, .l1_n
.l1: mov eax, [fs:0xffd]
    NOTRAP
.l1_n:
    PRINT "fs:[0x1000] byte: "
    EXPECT .l2, .l2_n
.l2: mov al, [fs:0x1000]
    NOTRAP
.l2_n:
    ; --- expand-down ---
    mov ax, EXPDOWN
    mov gs, ax
    PRINT "expand-down B=1, gs:[0xfff]: "
    EXPECT .e1, .e1_n
.e1: mov al, [gs:0xfff]
    NOTRAP
.e1_n:
    mov dword [0x1000], 0x11112222
    SHOW "expand-down B=1, gs:[0x1000] ", [gs:0x1000]
    PRINT "expand-down B=1, gs:[0xfffffffd] dword: "
    EXPECT .e2, .e2_n
.e2: mov eax, [gs:0xfffffffd]
    NOTRAP
.e2_n:
    mov ax, EXPDN16
    mov gs, ax
    mov word [0xfffe], 0x3344
    PRINT "expand-down B=0, gs:[0xfffe] word "
    movzx eax, word [gs:0xfffe]
    call hex
    call newline
    PRINT "expand-down B=0, gs:[0xffff] word: "
    EXPECT .e3, .e3_n
.e3: mov ax, [gs:0xffff]
    NOTRAP
.e3_n:
    ; --- types ---
    mov ax, RODATA
    mov es, ax
    SHOW "read-only es: read ", [es:0x1000]
    PRINT "read-only es: write: "
    EXPECT .t1, .t1_n
.t1: mov dword [es:0x1000], 0
    NOTRAP
.t1_n:
    PRINT "execute-only code into es: "
    EXPECT .t2, .t2_n
    mov ax, XOCODE
.t2: mov es, ax
    NOTRAP
.t2_n:
    mov ax, RCODE
    mov es, ax
    SHOW "readable code in es: read ", [es:0x1000]
    PRINT "readable code in es: write: "
    EXPECT .t3, .t3_n
.t3: mov dword [es:0x1000], 0
    NOTRAP
.t3_n:
    PRINT "code segment into ss: "
    EXPECT .t4, .t4_n
    mov ax, RCODE
.t4: mov ss, ax
    NOTRAP
.t4_n:
    PRINT "mov cs, ax: "
    EXPECT .t5, .t5_n
.t5: db 0x8e, 0xc8                     ; mov cs, ax
    NOTRAP
.t5_n:
    mov ax, KDATA
    mov es, ax
    ; --- accessed bit ---
    PRINT "accessed bit before/after load "
    movzx eax, byte [gdt + FRESH + 5]
    call hex2
    mov ax, FRESH
    mov es, ax
    call space
    movzx eax, byte [gdt + FRESH + 5]
    call hex2
    call newline
    mov ax, KDATA
    mov es, ax
    ; --- LDT ---
    mov ax, LDTDESC
    lldt ax
    PRINT "sldt "
    xor eax, eax
    sldt ax
    call hex
    call newline
    mov ax, 0x04                       ; LDT entry 0
    mov gs, ax
    SHOW "gs = LDT entry 0 (base 0x300000): gs:[0x10] ", [gs:0x10]
    PRINT "gs = LDT entry 1, not present: "
    EXPECT .ld1, .ld1_n
    mov ax, 0x0c
.ld1: mov gs, ax
    NOTRAP
.ld1_n:
    PRINT "gs = LDT entry 2, past the LDT limit: "
    EXPECT .ld2, .ld2_n
    mov ax, 0x14
.ld2: mov gs, ax
    NOTRAP
.ld2_n:
    xor eax, eax
    lldt ax
    PRINT "TI=1 selector with a null LDTR: "
    EXPECT .ld3, .ld3_n
    mov ax, 0x04
.ld3: mov gs, ax
    NOTRAP
.ld3_n:
    mov ax, KDATA
    mov gs, ax
    ; --- 16-bit code segment ---
    mov esi, code16
    mov edi, 0x8000
    mov ecx, code16_end - code16
    rep movsb
    mov eax, 0xaaaa0000
    mov ebx, 0x5555ffff
    call CODE16:0x8000
    PRINT "16-bit code: eax "
    call hex
    PRINT " ebx "
    mov eax, ebx
    call hex
    call newline
    ; --- 16-bit interrupt gate: a 6-byte FLAGS/CS/IP frame, IRETW back ---
    mov esi, gate16_handler
    mov edi, 0x9000
    mov ecx, gate16_end - gate16_handler
    rep movsb
    mov dword [idt + 0x85*8], (KCODE << 16) | 0x9000
    mov dword [idt + 0x85*8 + 4], 0x8600
    mov [0x7f04], esp
    mov eax, 0x9000 + gate16_caller - gate16_handler
    jmp eax                            ; the caller must sit below 64 KiB: IRETW returns to IP
.g16_after:
    PRINT "16-bit interrupt gate: frame bytes "
    mov eax, [0x7f04]
    sub eax, [0x7f00]
    call hex
    PRINT " ip+"
    movzx eax, word [0x7f08]
    sub eax, 0x9000 + gate16_ret - gate16_handler
    call hex
    PRINT " cs "
    movzx eax, word [0x7f0a]
    call hex
    call newline
    ; --- conforming code from ring 3 ---
    mov eax, user_conf
    mov ecx, 0x3000
    call to_user
    ; --- descriptor probes ---
    PRINT "lar/lsl/verr/verw (lar & 00f0ff00):", 10
    mov esi, probe_sels
.p: movzx ebx, word [esi]
    cmp ebx, 0xffff
    je .p_done
    PRINT "  "
    mov eax, ebx
    call hex
    mov eax, 0xdead
    lar eax, ebx
    setz cl
    and eax, 0x00f0ff00
    call space
    call hex
    movzx eax, cl
    call space
    call hex2
    mov eax, 0xbeef
    lsl eax, ebx
    setz cl
    call space
    call hex
    movzx eax, cl
    call space
    call hex2
    verr bx
    setz al
    call space
    call hex2
    verw bx
    setz al
    call space
    call hex2
    call newline
    add esi, 2
    jmp .p
.p_done:
    PRINT "done", 10
    ret

probe_sels: dw KCODE, KDATA, TSS1, CGATE, NPDATA, LDTDESC, XOCODE, RCODE, CONFORM, RODATA, 0, 0x1000, 0xffff

user_conf:
    PRINT "ring 3 far call to a conforming DPL-0 segment: "
    call CONFORM:conf_target
    PRINT "returned", 10
    PRINT "ring 3 push below an expand-down SS limit: "
    mov ax, UEXPDN
    mov ss, ax                         ; ESP = 0x70000 is inside (0x6ffff, 4G)
    EXPECT .ss1, .ss1_n
.ss1: push eax                         ; would write 0x6fffc..0x6ffff
    NOTRAP
.ss1_n:
    mov ax, UDATA
    mov ss, ax
    int 0x81

conf_target:
    PRINT "cs "
    xor eax, eax
    mov ax, cs
    call hex
    PRINT ", "
    retf

gate16_handler:                        ; runs in the 32-bit KCODE segment, copied to 0x9000
    mov [0x7f00], esp
    mov eax, [esp]
    mov [0x7f08], eax                  ; IP (low word) and CS (high word)
    o16 iret
gate16_caller:
    int 0x85
gate16_ret:
    mov eax, main.g16_after
    jmp eax
gate16_end:

    bits 16
code16:
    mov ax, 0x1234                      ; 16-bit operand size by default
    mov bx, sp
    sub bx, sp                          ; 0
    o32 retf
code16_end:
    bits 32

    align 8
ldt:
    dq 0x0040923000000fff               ; data, base 0x300000, limit 0xfff
    dq 0x0040123000000fff               ; same, not present

%include "tail.inc"
