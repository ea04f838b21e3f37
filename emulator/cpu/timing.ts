// Guest cycle costs (486-like). CYC[op] is the base cost of the one-byte opcode op,
// CYC[0x100 + op] of the 0F-prefixed op: the register form's clock count from the
// Intel486 instruction timing appendix. Memory forms, taken branches, repeat
// iterations, page walks, I/O and exceptions add the extras named below. See
// docs/timing.md for the table with its sources and simplifications.

export const CYC = new Uint8Array(512);

/** Extra cycles of a memory source operand (ALU r,m) and of a read-modify-write destination. */
export const MEM_READ = 1;
export const MEM_RMW = 2;
/** Taken conditional branch / loop (on top of the not-taken base). */
export const BRANCH_TAKEN = 2;
/** Per-iteration costs of repeated string instructions. */
export const REP_MOVS = 3;
export const REP_STOS = 4;
export const REP_LODS = 4;
export const REP_CMPS = 7;
export const REP_SCAS = 5;
export const REP_INS = 8;
export const REP_OUTS = 10;
/** Delivering an exception or interrupt (INT n through a gate, protected mode / real mode). */
export const INT_PROT = 44;
export const INT_REAL = 26;

function set(cost: number, ...ops: number[]): void {
  for (const op of ops) CYC[op] = cost;
}
function range(cost: number, from: number, to: number): void {
  for (let op = from; op <= to; op++) CYC[op] = cost;
}

range(1, 0x00, 0x3f); // ALU forms; prefixes cost nothing extra (kept 1 as 486 decode)
set(3, 0x06, 0x0e, 0x16, 0x1e); // PUSH sreg
set(3, 0x07, 0x17, 0x1f); // POP sreg (real mode; protected adds descriptor load)
set(2, 0x27, 0x2f); // DAA DAS
set(0, 0x0f); // the two-byte escape: CYC[0x100 + op] is the manual's whole count for 0F op
set(3, 0x37, 0x3f); // AAA AAS
range(1, 0x40, 0x57); // INC/DEC/PUSH reg
range(4, 0x58, 0x5f); // POP reg
set(11, 0x60); // PUSHA
set(9, 0x61); // POPA
set(7, 0x62); // BOUND
set(9, 0x63); // ARPL
set(1, 0x68, 0x6a); // PUSH imm
set(13, 0x69, 0x6b); // IMUL imm (13..26)
set(17, 0x6c, 0x6d, 0x6e, 0x6f); // INS OUTS
range(1, 0x70, 0x7f); // Jcc not taken (taken +2)
range(1, 0x80, 0x85); // group 1, TEST
set(3, 0x86, 0x87); // XCHG
range(1, 0x88, 0x8b); // MOV
set(3, 0x8c); // MOV r/m, sreg
set(1, 0x8d); // LEA
set(3, 0x8e); // MOV sreg (real mode)
set(6, 0x8f); // POP r/m
set(1, 0x90);
range(3, 0x91, 0x97); // XCHG eAX, r
set(3, 0x98, 0x99); // CBW CWD
set(18, 0x9a); // CALL far
set(1, 0x9b); // WAIT
set(4, 0x9c); // PUSHF
set(9, 0x9d); // POPF
set(2, 0x9e); // SAHF
set(3, 0x9f); // LAHF
range(1, 0xa0, 0xa3); // MOV moffs
set(7, 0xa4, 0xa5); // MOVS
set(8, 0xa6, 0xa7); // CMPS
set(1, 0xa8, 0xa9); // TEST imm
set(5, 0xaa, 0xab, 0xac, 0xad); // STOS LODS
set(6, 0xae, 0xaf); // SCAS
range(1, 0xb0, 0xbf); // MOV imm
set(2, 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3); // shifts (rotates through carry add more)
set(5, 0xc2, 0xc3); // RET
set(6, 0xc4, 0xc5); // LES LDS
set(1, 0xc6, 0xc7); // MOV imm
set(14, 0xc8); // ENTER
set(5, 0xc9); // LEAVE
set(13, 0xca, 0xcb); // RETF
set(26, 0xcc, 0xcd); // INT (delivery adds its own)
set(3, 0xce); // INTO not taken
set(15, 0xcf); // IRET
set(15, 0xd4); // AAM
set(14, 0xd5); // AAD
set(2, 0xd6); // SALC
set(4, 0xd7); // XLAT
range(1, 0xd8, 0xdf); // ESC: the escape byte; FPU_MEM/FPU_REG below give the x87 instruction's whole count
set(6, 0xe0, 0xe1, 0xe2); // LOOPcc not taken
set(5, 0xe3); // JCXZ not taken
set(14, 0xe4, 0xe5, 0xec, 0xed); // IN
set(16, 0xe6, 0xe7, 0xee, 0xef); // OUT
set(3, 0xe8, 0xe9, 0xeb); // CALL/JMP near
set(17, 0xea); // JMP far
set(1, 0xf0, 0xf2, 0xf3); // prefixes
set(4, 0xf4); // HLT
set(2, 0xf5, 0xf8, 0xf9, 0xfc, 0xfd); // CMC CLC STC CLD STD
set(1, 0xf6, 0xf7); // group 3 (MUL/DIV add their own)
set(5, 0xfa, 0xfb); // CLI STI
set(1, 0xfe, 0xff); // group 4/5 (CALL/JMP forms add their own)

// 0F two-byte opcodes
const X = 0x100;
set(10, X + 0x00, X + 0x01, X + 0x02, X + 0x03); // system groups, LAR LSL
set(7, X + 0x06); // CLTS
set(4, X + 0x08, X + 0x09); // INVD WBINVD
set(4, X + 0x20, X + 0x21, X + 0x22, X + 0x23); // MOV CR/DR (CR0 writes 17)
set(2, X + 0x31); // RDTSC
set(11, X + 0x33); // RDPMC (P6)
range(1, X + 0x19, X + 0x1f); // NOP Ev (P6 multi-byte NOP)
range(2, X + 0x40, X + 0x4f); // CMOVcc (memory source +1, MEM_READ)
set(10, X + 0xc7); // CMPXCHG8B
range(1, X + 0x80, X + 0x8f); // Jcc near not taken
range(3, X + 0x90, X + 0x9f); // SETcc
set(3, X + 0xa0, X + 0xa8); // PUSH FS GS
set(3, X + 0xa1, X + 0xa9); // POP FS GS
set(14, X + 0xa2); // CPUID
set(3, X + 0xa3); // BT
set(2, X + 0xa4, X + 0xac); // SHLD SHRD imm
set(3, X + 0xa5, X + 0xad); // SHLD SHRD CL
set(6, X + 0xab, X + 0xb3, X + 0xbb, X + 0xba); // BTS BTR BTC, group 8
set(13, X + 0xaf); // IMUL r, r/m
set(6, X + 0xb0, X + 0xb1); // CMPXCHG
set(6, X + 0xb2, X + 0xb4, X + 0xb5); // LSS LFS LGS
set(3, X + 0xb6, X + 0xb7, X + 0xbe, X + 0xbf); // MOVZX MOVSX
set(10, X + 0xbc, X + 0xbd); // BSF BSR (6..42)
set(3, X + 0xc0, X + 0xc1); // XADD
range(1, X + 0xc8, X + 0xcf); // BSWAP

// x87 instructions: the Intel486 manual's floating-point clock counts (lower end of a range),
// whole-instruction counts including the escape byte's CYC[op] = 1 (x87.ts charges the rest).
// FPU_MEM[(op & 7) * 8 + reg] for memory forms, FPU_REG[(op & 7) * 64 + (modrm & 0x3f)] for
// register forms; 0 where the form is undefined. See docs/timing.md.
export const FPU_MEM = Uint16Array.from([
  8, 11, 4, 4, 8, 8, 73, 73, // D8 m32real: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR
  3, 0, 7, 7, 44, 4, 67, 3, // D9: FLD FST FSTP m32, FLDENV FLDCW FSTENV FSTCW
  19, 22, 15, 15, 19, 19, 84, 84, // DA m32int
  9, 0, 28, 28, 0, 6, 0, 6, // DB: FILD FIST FISTP m32, FLD FSTP m80
  8, 14, 4, 4, 8, 8, 73, 73, // DC m64real
  3, 0, 8, 8, 131, 0, 154, 3, // DD: FLD FST FSTP m64, FRSTOR FSAVE FSTSW
  20, 23, 16, 16, 20, 20, 85, 85, // DE m16int
  13, 0, 29, 29, 70, 10, 172, 28, // DF: FILD FIST FISTP m16, FBLD, FILD m64, FBSTP, FISTP m64
]);

export const FPU_REG = new Uint16Array(512);
function fpuRow(op: number, reg: number, cost: number): void {
  FPU_REG.fill(cost, (op & 7) * 64 + reg * 8, (op & 7) * 64 + reg * 8 + 8);
}
const FPU_ARITH = [8, 16, 4, 4, 8, 8, 73, 73]; // FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR
for (let reg = 0; reg < 8; reg++) {
  fpuRow(0xd8, reg, FPU_ARITH[reg]);
  fpuRow(0xdc, reg, FPU_ARITH[reg ^ (reg >= 4 ? 1 : 0)]);
  fpuRow(0xde, reg, FPU_ARITH[reg ^ (reg >= 4 ? 1 : 0)]);
}
FPU_REG[6 * 64 + 0x19] = 5; // FCOMPP
fpuRow(0xd9, 0, 4); // FLD ST(i)
fpuRow(0xd9, 1, 4); // FXCH
fpuRow(0xd9, 2, 3); // FNOP
fpuRow(0xd9, 3, 3); // FSTP ST(i) alias
FPU_REG.set(
  [
    6, 3, 0, 0, 4, 8, 0, 0, // FCHS FABS FTST FXAM
    4, 8, 8, 8, 8, 8, 4, 0, // FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ
    140, 196, 200, 218, 16, 72, 3, 3, // F2XM1 FYL2X FPTAN FPATAN FXTRACT FPREM1 FDECSTP FINCSTP
    70, 171, 83, 292, 21, 30, 257, 257, // FPREM FYL2XP1 FSQRT FSINCOS FRNDINT FSCALE FSIN FCOS
  ],
  1 * 64 + 0x20,
);
for (let reg = 0; reg < 4; reg++) {
  fpuRow(0xda, reg, 4); // FCMOVcc (P6; priced as FLD ST(i))
  fpuRow(0xdb, reg, 4);
}
FPU_REG[2 * 64 + 0x29] = 5; // FUCOMPP
FPU_REG.set([3, 3, 7, 17, 3], 3 * 64 + 0x20); // FENI FDISI (no-ops) FCLEX FINIT FSETPM
fpuRow(0xdb, 5, 4); // FUCOMI (P6; priced as FUCOM)
fpuRow(0xdb, 6, 4); // FCOMI
fpuRow(0xdd, 0, 3); // FFREE
fpuRow(0xdd, 1, 4); // FXCH alias
fpuRow(0xdd, 2, 3); // FST ST(i)
fpuRow(0xdd, 3, 3); // FSTP ST(i)
fpuRow(0xdd, 4, 4); // FUCOM
fpuRow(0xdd, 5, 4); // FUCOMP
fpuRow(0xdf, 0, 3); // FFREEP
fpuRow(0xdf, 1, 4); // FXCH alias
fpuRow(0xdf, 2, 3); // FSTP aliases
fpuRow(0xdf, 3, 3);
FPU_REG[7 * 64 + 0x20] = 3; // FSTSW AX
fpuRow(0xdf, 5, 4); // FUCOMIP
fpuRow(0xdf, 6, 4); // FCOMIP
