; Paging: A and D bits in PTE/PDE, TLB staleness until INVLPG / CR3 reload, #PF error
; codes (P, W/R, U/S) with CR2 from ring 0 and ring 3, PDE-level protection, CR0.WP,
; and 4 MiB pages with CR4.PSE.
%include "lib.inc"

PD  equ 0x200000
PT0 equ 0x201000                       ; identity 0..4 MiB, P|RW|US
PT1 equ 0x202000                       ; 0x400000..: the test pages
PT4 equ 0x203000                       ; for PDE 4 (no US) and PDE 5 (no RW)
FA  equ 0x300000
FB  equ 0x301000


main:
    PRINT "paging", 10
    mov edi, PD
    mov ecx, 4 * 1024
    xor eax, eax
    rep stosd
    xor ecx, ecx
.id: mov eax, ecx
    shl eax, 12
    or eax, 7
    mov [PT0 + ecx*4], eax
    inc ecx
    cmp ecx, 1024
    jne .id
    mov dword [PD + 0*4], PT0 | 7
    mov dword [PD + 1*4], PT1 | 7
    mov dword [PD + 4*4], PT4 | 3      ; supervisor only at the PDE
    mov dword [PD + 5*4], PT4 | 5      ; read-only at the PDE
    mov dword [PT4], FA | 7
    mov dword [FA], 0xAAAAAAAA
    mov dword [FB], 0xBBBBBBBB
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax

    ; --- A and D bits ---
    mov dword [PT1 + 0*4], FA | 3
    mov eax, [0x400000]
    mov eax, [PT1]
    and eax, 0x60
    SHOW "after read: pte.AD ", eax
    PRINT "           pde.A "
    mov eax, [PD + 4]
    and eax, 0x20
    call hex
    call newline
    mov dword [0x400000], 0xAAAAAAAA
    mov eax, [PT1]
    and eax, 0x60
    SHOW "after write: pte.AD ", eax
    mov eax, [PD + 4]
    and eax, 0x60
    SHOW "            pde.AD ", eax

    ; --- TLB ---
    mov dword [PT1 + 1*4], FA | 3
    SHOW "tlb: first read ", [0x401000]
    mov dword [PT1 + 1*4], FB | 3
    SHOW "tlb: after pte change, no invlpg ", [0x401000]
    invlpg [0x401000]
    SHOW "tlb: after invlpg ", [0x401000]
    mov dword [PT1 + 1*4], FA | 3
    SHOW "tlb: after pte change back ", [0x401000]
    mov eax, cr3
    mov cr3, eax
    SHOW "tlb: after cr3 reload ", [0x401000]
    PRINT "not-present is not cached: "
    EXPECT .np1, .np1_n
.np1: mov eax, [0x402000]
    NOTRAP
.np1_n:
    mov dword [PT1 + 2*4], FB | 3
    SHOW "  then mapped, no invlpg: ", [0x402000]

    ; --- #PF from ring 0 ---
    PRINT "ring 0 read, not present: "
    EXPECT .pf1, .pf1_n
.pf1: mov eax, [0x403004]
    NOTRAP
.pf1_n:
    PRINT "ring 0 write, not present: "
    EXPECT .pf2, .pf2_n
.pf2: mov dword [0x403008], 1
    NOTRAP
.pf2_n:
    PRINT "ring 0 read, PDE not present: "
    EXPECT .pf3, .pf3_n
.pf3: mov eax, [0xC00010]
    NOTRAP
.pf3_n:
    mov dword [PT1 + 4*4], FA | 5      ; user, read-only
    mov dword [0x404000], 0xAAAAAAAA
    PRINT "ring 0 write to read-only page, WP=0: ok", 10
    mov eax, cr0
    or eax, 0x10000
    mov cr0, eax
    PRINT "ring 0 write to read-only page, WP=1: "
    EXPECT .pf4, .pf4_n
.pf4: mov dword [0x404000], 0xAAAAAAAA
    NOTRAP
.pf4_n:
    mov eax, [PT1 + 4*4]
    and eax, 0x60
    SHOW "  pte.AD after the WP=0 write: ", eax

    ; --- #PF from ring 3 ---
    mov dword [PT1 + 5*4], FA | 3      ; supervisor page
    mov dword [PT1 + 6*4], FA | 5      ; user read-only
    mov dword [PT1 + 7*4], 0           ; not present
    mov eax, user_faults
    mov ecx, 0x3000                    ; IOPL 3: ring 3 may print
    call to_user
    PRINT "back in ring 0", 10

    ; --- 4 MiB pages ---
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov dword [PD + 2*4], 0x00000083   ; 4 MiB page: linear 0x800000 -> physical 0
    SHOW "pse: read ", [0x800000 + FA]
    mov eax, [PD + 2*4]
    and eax, 0x60
    SHOW "pse: pde.AD after read ", eax
    mov dword [0x800000 + FB], 0xBBBBBBBB
    mov eax, [PD + 2*4]
    and eax, 0x60
    SHOW "pse: pde.AD after write ", eax
    PRINT "pse: offset within the page: "
    mov dword [PD + 3*4], 0x00000083   ; linear 0xC00000 -> physical 0 (never cached: was not present)
    mov eax, [0xC00000 + FB]
    call hex
    call newline
    ; --- a fault in the middle of REP MOVSB, then restart ---
    mov dword [PT1 + 8*4], FA | 3      ; 0x408000 mapped
    mov dword [PT1 + 9*4], 0           ; 0x409000 not present
    mov dword [handler], map_on_fault
    mov esi, 0x408000
    mov edi, 0x408ffa                  ; copies 16 bytes from 0x408000 to 0x408ffa..0x409009
    mov ecx, 16
    cld
    rep movsb
    mov dword [handler], report_trap
    PRINT "after restart: ecx "
    mov eax, ecx
    call hex
    PRINT " esi+"
    lea eax, [esi - 0x408000]
    call hex
    PRINT " edi+"
    lea eax, [edi - 0x408ffa]
    call hex
    PRINT " byte at 0x409009 "
    movzx eax, byte [0x409009]
    call hex2
    call newline
    ; --- instruction fetch faults ---
    mov dword [PT1 + 10*4], 0x302000 | 3  ; 0x40a000 mapped, 0x40b000 not present
    mov dword [PT1 + 11*4], 0
    mov byte [0x302ffe], 0xb8             ; mov eax, 0x12345678 straddles 0x40b000
    mov byte [0x302fff], 0x78
    mov dword [0x303000], 0xc3123456      ; the rest of it, then ret
    PRINT "call to a not-present page: "
    EXPECT 0x40c000, .xf1_n
    mov eax, 0x40c000
    call eax
    NOTRAP
.xf1_n:
    add esp, 4                            ; the return address the call pushed
    PRINT "instruction straddling into a not-present page: "
    EXPECT 0x40affe, .xf2_n
    mov eax, 0x40affe
    call eax
    NOTRAP
.xf2_n:
    add esp, 4
    mov dword [PT1 + 11*4], 0x303000 | 3
    xor eax, eax
    mov ebx, 0x40affe
    call ebx
    SHOW "after mapping the second page: eax ", eax
    PRINT "done", 10
    ret

; #PF handler that maps 0x409000 (to FB) and restarts the faulting instruction.
map_on_fault:
    PRINT "rep movsb faulted: vector "
    mov eax, [ebp + F_VEC]
    call hex2
    PRINT " err "
    mov eax, [ebp + F_ERR]
    call hex
    PRINT " cr2 "
    mov eax, cr2
    call hex
    PRINT " ecx "
    mov eax, [ebp + F_EDI + 24]
    call hex
    PRINT " esi+"
    mov eax, [ebp + F_EDI + 4]
    sub eax, 0x408000
    call hex
    call newline
    mov dword [PT1 + 9*4], FB | 3
    ret

; Ring 3 (IOPL 3, paging on, everything below 4 MiB user-accessible).
user_faults:
    PRINT "ring 3 read, supervisor page: "
    EXPECT .u1, .u1_n
.u1: mov eax, [0x405000]
    NOTRAP
.u1_n:
    PRINT "ring 3 write, read-only page: "
    EXPECT .u2, .u2_n
.u2: mov dword [0x406000], 1
    NOTRAP
.u2_n:
    PRINT "ring 3 read, not present: "
    EXPECT .u3, .u3_n
.u3: mov eax, [0x407000]
    NOTRAP
.u3_n:
    PRINT "ring 3 write, not present: "
    EXPECT .u4, .u4_n
.u4: mov dword [0x407010], 1
    NOTRAP
.u4_n:
    PRINT "ring 3 read, PDE supervisor-only: "
    EXPECT .u5, .u5_n
.u5: mov eax, [0x1000000]
    NOTRAP
.u5_n:
    PRINT "ring 3 write, PDE read-only: "
    EXPECT .u6, .u6_n
.u6: mov dword [0x1400004], 1
    NOTRAP
.u6_n:
    mov eax, [0x1400000]
    PRINT "ring 3 read, PDE read-only: "
    call hex
    call newline
    int 0x81

%include "tail.inc"
