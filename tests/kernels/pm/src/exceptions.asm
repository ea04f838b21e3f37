; Exceptions in ring 0: #DE #DB(TF) #BP #OF #BR #UD #NM #TS #NP #SS #GP and #DF, each with
; its error code and the saved EIP relative to the instruction the manual names (the
; faulting instruction for faults, the next one for traps).
%include "lib.inc"

main:
    PRINT "exceptions", 10
    PRINT "#DE div by zero: "
    EXPECT .de, .de_n
    xor edx, edx
    mov eax, 1
    xor ecx, ecx
.de: div ecx
    NOTRAP
.de_n:
    PRINT "#DE idiv overflow: "
    EXPECT .de2, .de2_n
    mov eax, 0x80000000
    mov edx, -1
    mov ecx, -1
.de2: idiv ecx
    NOTRAP
.de2_n:
    PRINT "#DB single step: "
    mov eax, 0
    mov dr6, eax
    EXPECT .db_next, .db_n
    pushfd
    or dword [esp], 0x100
    popfd
    nop                                ; runs with TF set; #DB after it
.db_next:
    nop
    NOTRAP
.db_n:
    mov eax, dr6
    and eax, 0x4000
    PRINT "dr6.BS "
    call hex
    call newline
    PRINT "#BP int3: "
    EXPECT .bp_next, .bp_n
    int3
.bp_next:
    nop
    NOTRAP
.bp_n:
    PRINT "#OF into: "
    EXPECT .of_next, .of_n
    mov al, 0x7f
    add al, 1
    into
.of_next:
    nop
    NOTRAP
.of_n:
    PRINT "#BR bound: "
    EXPECT .br, .br_n
    mov eax, 20
.br: bound eax, [bounds]
    NOTRAP
.br_n:
    PRINT "#UD ud2: "
    EXPECT .ud, .ud_n
.ud: ud2
    NOTRAP
.ud_n:
    PRINT "#UD lock nop: "
    EXPECT .ud2, .ud2_n
.ud2: db 0xf0, 0x90
    NOTRAP
.ud2_n:
    PRINT "#NM fninit with CR0.EM: "
    mov eax, cr0
    or eax, 4
    mov cr0, eax
    EXPECT .nm, .nm_n
.nm: fninit
    NOTRAP
.nm_n:
    mov eax, cr0
    and eax, ~4
    or eax, 2                          ; MP
    mov cr0, eax
    PRINT "#NM wait with CR0.TS+MP: "
    mov eax, cr0
    or eax, 8
    mov cr0, eax
    EXPECT .nm2, .nm2_n
.nm2: wait
    NOTRAP
.nm2_n:
    clts
    PRINT "#TS jmp to TSS with limit 0x50: "
    EXPECT .ts, .ts_n
.ts: jmp SMALLTSS:0
    NOTRAP
.ts_n:
    PRINT "#NP mov ds, not-present: "
    EXPECT .np, .np_n
    mov ax, NPDATA
.np: mov ds, ax
    NOTRAP
.np_n:
    PRINT "#SS mov ss, not-present: "
    EXPECT .ss, .ss_n
    mov ax, NPDATA
.ss: mov ss, ax
    NOTRAP
.ss_n:
    PRINT "#GP selector past GDT limit: "
    EXPECT .gp1, .gp1_n
    mov ax, 0x1000
.gp1: mov es, ax
    NOTRAP
.gp1_n:
    PRINT "#GP TSS selector in DS: "
    EXPECT .gp2, .gp2_n
    mov ax, TSS1
.gp2: mov ds, ax
    NOTRAP
.gp2_n:
    PRINT "#GP write to code segment: "
    EXPECT .gp3, .gp3_n
.gp3: mov [cs:scratch], eax
    NOTRAP
.gp3_n:
    PRINT "#GP null SS: "
    EXPECT .gp4, .gp4_n
    xor eax, eax
.gp4: mov ss, ax
    NOTRAP
.gp4_n:
    PRINT "#GP access through null ES: "
    xor eax, eax
    mov es, ax
    EXPECT .gp5, .gp5_n
.gp5: mov eax, [es:scratch]
    NOTRAP
.gp5_n:
    mov ax, KDATA
    mov es, ax
    PRINT "#GP far jmp to data segment: "
    EXPECT .gp6, .gp6_n
.gp6: jmp KDATA:0
    NOTRAP
.gp6_n:
    PRINT "#GP segment limit (fs limit 0xfff): "
    mov eax, scratch
    mov ebx, 0x58
    call set_base
    mov byte [gdt + 0x58 + 5], 0x92    ; present, DPL 0, writable
    mov word [gdt + 0x58], 0x0fff
    and byte [gdt + 0x58 + 6], 0x70    ; byte granular, limit 0x00fff
    or byte [gdt + 0x58 + 6], 0x40
    mov ax, 0x58
    mov fs, ax
    EXPECT .gp7, .gp7_n
.gp7: mov eax, [fs:0xffe]              ; bytes 0xffe..0x1001 cross the limit
    NOTRAP
.gp7_n:
    mov ax, KDATA
    mov fs, ax
    PRINT "#DF: #NP while delivering #NP: "
    and byte [idt + 11*8 + 5], 0x7f    ; gate 11 not present
    EXPECT 0, .df_n
    mov ax, NPDATA
    mov ds, ax
    NOTRAP
.df_n:
    or byte [idt + 11*8 + 5], 0x80
    PRINT "#GP while delivering #GP (gate 13 limit): "
    ; IDT limit below gate 13: #GP(13*8+2) on delivery of the #GP -> #DF
    mov word [small_idt], 13*8 - 1     ; gates 0..12: #DF (vector 8) stays reachable
    mov eax, [idt_desc + 2]
    mov [small_idt + 2], eax
    lidt [small_idt]
    EXPECT 0, .df2_n
    mov ax, 0x1000
    mov es, ax
    NOTRAP
.df2_n:
    lidt [idt_desc]
    PRINT "#DB single step after mov ss (inhibited one instruction): "
    mov dword [expect_eip], .ss_db_next
    mov dword [resume_eip], .ss_db_n
    mov ax, ss
    pushfd
    or dword [esp], 0x100
    popfd
    mov ss, ax                         ; would trap here, but MOV SS inhibits it
    nop                                ; the #DB comes after this one
.ss_db_next:
    nop
    NOTRAP
.ss_db_n:
    PRINT "#NM fninit with CR0.TS: "
    mov eax, cr0
    or eax, 8
    mov cr0, eax
    EXPECT .nm3, .nm3_n
.nm3: fninit
    NOTRAP
.nm3_n:
    clts
    PRINT "cpuid 1: family "
    mov eax, 1
    cpuid
    mov ecx, edx
    shr eax, 8
    and eax, 15
    call hex
    PRINT " edx.fpu "
    mov eax, ecx
    and eax, 1
    call hex
    call newline
    PRINT "done", 10
    ret

bounds: dd 0, 10
scratch: dd 0, 0
small_idt: dw 0
    dd 0

%include "tail.inc"
