// The decoded record format of the decoded-instruction cache (icache.ts): handler ids,
// mode bits and operand fields, shared by the decoder (decode.ts), the fast forms
// (forms.ts), the interpreter (dispatch.ts) and the compiler (jit.ts).
//
// Record: w0 = handler | length << 8 | mode bit (M) | base cycles << 16
//         w1 = operand fields (O), w2 = immediate, w3 = displacement.

/**
 * Handler ids of decoded records. The interpreter's switch (generated) uses their
 * numbers as literal case labels: an imported enum becomes a property load when each
 * file is transformed alone (tsx, vitest).
 */
export enum H {
  Legacy = 1, MovRR, Load32, Store32, AluRR, AluMR, AluRM, AluRI, AluMI, TestRR, TestMR, TestRI, Inc, Dec,
  Push, Pop, PushI, MovRI, Lea, Jcc, Jmp, Call, Ret, MovxR, MovxM, ShiftR, Store8, Load8, MovRR8, MovMI, Nop,
  Cdq, Alu8RI /* 80 /op on a register, 04 0C ... on AL */, Alu8MI, Leave, ImulR, ImulM,
  // ALU forms specialised by operation (op of AluRR / AluRI: 0 ADD, 1 OR, 4 AND, 5 SUB, 6 XOR, 7 CMP)
  AddRR, OrRR, AndRR, SubRR, XorRR, CmpRR, AddRI, OrRI, AndRI, SubRI, XorRI, CmpRI,
  Alu8RR, Alu8MR, Alu8RM,
  // group 5 on memory: INC/DEC m32 (op 0/1), PUSH m32
  IncDecM, PushM,
  // byte TEST (84, F6 /0 /1, A8 on AL), TEST m32 imm32 (F7 /0 /1), NOT and NEG r32 (F7 /2 /3),
  // MOV r8/m8 imm8 (B0-B7, C6 /0)
  TestRR8, TestMR8, TestRI8, TestMI8, TestMI, NotR, NegR, MovR8I, MovM8I,
  // near indirect JMP and CALL through a register or a memory dword (FF /4, FF /2)
  JmpR, JmpM, CallR, CallM,
  // 16-bit MOV (66 89, 66 8B: register, load, store)
  MovRR16, Load16, Store16,
  // CMOVcc r32, r/m32 (0F 40-4F) and SETcc r8 (0F 90-9F)
  CmovRR, CmovRM, SetccR,
  // MUL, IMUL, DIV, IDIV of EDX:EAX by r32 (F7 /4 /5 /6 /7)
  MulR, DivR,
  // SHLD/SHRD r32, r32, imm8/CL (0F A4 A5 AC AD)
  ShiftDR,
  // ALU r16, imm16/imm8 (66 81 /op, 66 83 /op on a register; 66 05 ... 66 3D on AX)
  Alu16RI,
  // CLD and STD (FC, FD: op 0 and 1)
  SetDF,
  // CMP with a memory operand, without the other operations' result: m32, r32 (39), m32,
  // imm (81 /7, 83 /7), m8, r8 (38), m8, imm8 (80 /7), r32, m32 (3B); the others are
  // AluMR, AluMI, Alu8MR, Alu8MI and AluRM
  CmpMR, CmpMI, Cmp8MR, Cmp8MI, CmpRM,
}

/** Mode bits of w0: the code size the record was decoded for (a decoded record is never 0). */
export const enum M {
  Mode32 = 0x1000, Mode16 = 0x2000, Bits = 0x3000,
}

/** Operand fields of w1 (shifts and flag bits). Register fields take 3 bits, O.Op 4. */
export const enum O {
  D = 0, // destination register (or the only register)
  S = 3, // source register
  Op = 6, // ALU/shift operation or condition code
  Seg = 10, // segment of the memory operand
  Base = 13, // base register
  Idx = 16, // index register
  Scale = 19, // 2 bits
  HasB = 1 << 21,
  HasX = 1 << 22,
  Word = 1 << 23, // MOVZX/MOVSX: 16-bit source
  Flag = 1 << 24, // MOVSX: signed; shifts: count in CL
}
