// The fast instruction forms: the semantics of each handler id (dispatch.ts H) of the
// decoded-instruction cache, written once as a JavaScript template. Two programs are
// made from these templates:
//   - the interpreter's switch (dispatch-cases.ts, written by tools/gen-dispatch.ts),
//     where a field token reads the decoded record (w1, rec[k + 2], ...);
//   - the block compiler (jit.ts), where the same token is the record's constant, so
//     V8 sees `r[3] = (r[3] + 8) | 0` where the interpreter decodes fields.
// A form that is not here runs through the byte interpreter (exec.ts execOne).
//
// Tokens (replaced textually, longest first):
//   $D $S         destination / source register number (w1 & 7, w1 >> O.S & 7)
//   $OP $SEG      ALU/shift operation or condition code; segment of the memory operand
//   $WORD $SIGNED MOVZX/MOVSX: 16-bit source; sign-extend (booleans)
//   $CL           shift count from CL (boolean)
//   $IMM          immediate; $EA effective address of the memory operand (int32)
//   $EIP $NEXT    EIP of this instruction and of the next one
//   $SAVE         records the restart point (instrEip/instrEsp) before anything can fault
//   $EXIT         after a control transfer that set cpu.eip: the run leaves this code
// Bodies may use: c (the CPU), r (c.regs), the helpers of jit.ts HELPERS, and the
// Seg/Lf literals below. A body that can fault starts with $SAVE; the interpreter
// and the compiler both rely on that (forms without $SAVE never throw).

import { H } from "./records.ts";

/** The tokens of a template, in the order they are replaced (no token is a prefix of a later one). */
const TOKENS = ["$SAVE", "$EXIT", "$SIGNED", "$WORD", "$CL", "$SEG", "$OP", "$IMM", "$EA", "$EIP", "$NEXT", "$D", "$S"] as const;
export type Token = (typeof TOKENS)[number];

/** Template `body` with each token replaced by its text in `values`. */
export function expandForm(body: string, values: Record<Token, string>): string {
  let s = body;
  for (const t of TOKENS) s = s.replaceAll(t, values[t]);
  return s;
}

/**
 * Expanded template `src` with the miss path of each access (the block marked with a
 * miss comment below) replaced by `{ exit }` where nothing before the access has an
 * effect (matches `effect`, a pattern for the program's own spelling of guest-state
 * writes and calls), so that the whole instruction can run again elsewhere from its
 * start. An earlier access's fast path counts (a store is an effect); its miss path does
 * not, as the code only goes on past an access that hit.
 */
export function missExits(src: string, exit: string, effect: RegExp): string {
  let out = "";
  let seen = ""; // what runs before the next access on the way through hits
  let rest = src;
  for (let a = rest.indexOf("/*access*/"); a >= 0; a = rest.indexOf("/*access*/")) {
    const m = rest.indexOf("{ /*miss*/ ", a);
    const end = rest.indexOf("; }", m) + 3;
    if (m < 0 || end < 3) throw new Error("forms: access without a miss path");
    const pure = !effect.test(seen + rest.slice(0, a));
    if (!pure && rest.slice(m, end).includes(NO_MISS_PATH)) throw new Error("forms: a read-modify-write access after an effect");
    out += rest.slice(0, m) + (pure ? `{ ${exit} }` : rest.slice(m, end));
    seen += rest.slice(0, m);
    rest = rest.slice(end);
  }
  return out + rest;
}

/** One fast form: its template, and whether it touches memory (so may invalidate code). */
export interface Form {
  readonly body: string;
  readonly mem: boolean;
  /** Always leaves through $EXIT (an unconditional transfer): nothing follows it in a block. */
  readonly ends: boolean;
}

// segR / segW fast-path tests (present, data or conforming-less code, writable): see access.ts
// RdMask 0x9c, RdOk 0x90, WrMask 0x9e, WrOk 0x92. Lazy-flag ops (flags.ts Lf): Add 1, Sub 3,
// Logic 5, Inc 6, Dec 7; lfSign -2147483648 marks 32-bit results.

// Each access below tests the segment and the TLB in one condition and, when either
// fast path fails, makes one call (access.ts readM32 etc.: segR/segW then rd32/wr32,
// with their checks, faults and walk cycles). The access is a block that starts
// `{ /*access*/` and its miss path is `{ /*miss*/ call; }`: where nothing of the
// instruction has happened before the access, the block compiler leaves the region at
// the miss instead (jit.ts), and the interpreter runs the instruction.

/** readM32 with its fast paths inlined: reads the dword at seg:(ea) into `dst`. */
const load32 = (dst: string, seg: string, ea: string): string => `{ /*access*/
  const ea_ = ${ea};
  const lin_ = (c.segBase[${seg}] + ea_) | 0;
  const e_ = c.tlb[lin_ >>> 12];
  const m_ = c.rmask;
  if ((c.segAttr[${seg}] & 0x9c) === 0x90 && (ea_ >>> 0) + 3 <= c.segLimit[${seg}] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
    ${dst} = c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2];
  } else { /*miss*/ ${dst} = readM32(c, ${seg}, ea_); }
}`;

/** writeM32 with its fast paths inlined: writes `v` as the dword at seg:(ea). */
const store32 = (seg: string, ea: string, v: string): string => `{ /*access*/
  const ea_ = ${ea};
  const lin_ = (c.segBase[${seg}] + ea_) | 0;
  const v_ = ${v};
  const e_ = c.tlb[lin_ >>> 12];
  const m_ = c.wmask;
  if ((c.segAttr[${seg}] & 0x9e) === 0x92 && (ea_ >>> 0) + 3 <= c.segLimit[${seg}] >>> 0 && (lin_ & 3) === 0 && (e_ & m_) === m_) {
    c.ram32[((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2] = v_;
  } else { /*miss*/ writeM32(c, ${seg}, ea_, v_); }
}`;

/** readM8 with its fast paths inlined: reads the byte at seg:(ea) into `dst`. */
const load8 = (dst: string, seg: string, ea: string): string => `{ /*access*/
  const ea_ = ${ea};
  const lin_ = (c.segBase[${seg}] + ea_) | 0;
  const e_ = c.tlb[lin_ >>> 12];
  const m_ = c.rmask;
  if ((c.segAttr[${seg}] & 0x9c) === 0x90 && ea_ >>> 0 <= c.segLimit[${seg}] >>> 0 && (e_ & m_) === m_) {
    ${dst} = c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)];
  } else { /*miss*/ ${dst} = readM8(c, ${seg}, ea_); }
}`;

/** readM16 with its fast paths inlined: reads the word at seg:(ea) into `dst`. */
const load16 = (dst: string, seg: string, ea: string): string => `{ /*access*/
  const ea_ = ${ea};
  const lin_ = (c.segBase[${seg}] + ea_) | 0;
  const e_ = c.tlb[lin_ >>> 12];
  const m_ = c.rmask;
  if ((c.segAttr[${seg}] & 0x9c) === 0x90 && (ea_ >>> 0) + 1 <= c.segLimit[${seg}] >>> 0 && (e_ & m_) === m_ && (lin_ & 0xfff) !== 0xfff) {
    const p_ = (e_ & ~0xfff) | (lin_ & 0xfff);
    ${dst} = c.ram[p_] | (c.ram[p_ + 1] << 8);
  } else { /*miss*/ ${dst} = readM16(c, ${seg}, ea_); }
}`;

/** writeM16 with its fast paths inlined: writes `v` as the word at seg:(ea). */
const store16 = (seg: string, ea: string, v: string): string => `{ /*access*/
  const ea_ = ${ea};
  const lin_ = (c.segBase[${seg}] + ea_) | 0;
  const v_ = ${v};
  const e_ = c.tlb[lin_ >>> 12];
  const m_ = c.wmask;
  if ((c.segAttr[${seg}] & 0x9e) === 0x92 && (ea_ >>> 0) + 1 <= c.segLimit[${seg}] >>> 0 && (e_ & m_) === m_ && (lin_ & 0xfff) !== 0xfff) {
    const p_ = (e_ & ~0xfff) | (lin_ & 0xfff);
    c.ram[p_] = v_;
    c.ram[p_ + 1] = v_ >> 8;
  } else { /*miss*/ writeM16(c, ${seg}, ea_, v_); }
}`;

/** writeM8 with its fast paths inlined: writes `v` as the byte at seg:(ea). */
const store8 = (seg: string, ea: string, v: string): string => `{ /*access*/
  const ea_ = ${ea};
  const lin_ = (c.segBase[${seg}] + ea_) | 0;
  const v_ = ${v};
  const e_ = c.tlb[lin_ >>> 12];
  const m_ = c.wmask;
  if ((c.segAttr[${seg}] & 0x9e) === 0x92 && ea_ >>> 0 <= c.segLimit[${seg}] >>> 0 && (e_ & m_) === m_) {
    c.ram[(e_ & ~0xfff) | (lin_ & 0xfff)] = v_;
  } else { /*miss*/ writeM8(c, ${seg}, ea_, v_); }
}`;

/** A push of `v` (evaluated once, before the write); push32 with its 32-bit stack path inlined. */
const push = (v: string): string => `{
  const pv_ = ${v};
  if (!c.stack32) push32(c, pv_);
  else {
    const sp_ = (r[4] - 4) | 0;
    ${store32("2", "sp_", "pv_")}
    r[4] = sp_;
  }
}`;

/** The dword at the stack top into `dst` (peek32 with its 32-bit stack path inlined). */
const top = (dst: string): string => `
  if (c.stack32) ${load32(dst, "2", "r[4]")}
  else ${dst} = peek32(c, 0);`;

/** jumpNear (operands.ts) with its 32-bit path inlined: EIP := `t`, or #GP past the CS limit. */
const jump = (t: string): string => `{
  const j_ = ${t};
  if (!c.os32) jumpNear(c, j_);
  else {
    if (j_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
    c.eip = j_;
  }
}`;

/** addSp (access.ts) with its 32-bit path inlined. */
const addSp = (n: string): string => `if (c.stack32) r[4] = (r[4] + ${n}) | 0; else addSp(c, ${n});`;

const flags = (op: number, res: string, a: string, b: string): string =>
  `c.lfOp = ${op}; c.lfRes = ${res}; c.lfA = ${a}; c.lfB = ${b}; c.lfSign = -2147483648;`;
/** The same for a byte result (already masked to 8 bits): sign bit 0x80. */
const flags8 = (op: number, res: string, a: string, b: string): string =>
  `c.lfOp = ${op}; c.lfRes = ${res}; c.lfA = ${a}; c.lfB = ${b}; c.lfSign = 128;`;

/** alu.ts sub32 without its result (CMP): the flags of `a` - `b`. */
const cmp32 = (a: string, b: string): string => `{
  const a_ = ${a};
  const b_ = ${b};
  const v_ = (a_ - b_) | 0;
  ${flags(3, "v_", "a_", "b_")}
}`;

/** The byte CMP of alu.ts alu (operation 7, size 0) without its result: the flags of `a` - `b`. */
const cmp8 = (a: string, b: string): string => `{
  const a_ = ${a};
  const b_ = ${b};
  const v_ = (a_ - b_) & 0xff;
  ${flags8(3, "v_", "a_", "b_")}
}`;

/**
 * alu.ts alu of operation $OP on `a` and `b` (bytes for size 0, dwords for size 2): the
 * result into `dst` and the lazy-flag record as alu leaves them, inline but for ADC and
 * SBB, which read CF and call alu.
 */
const aluOp = (sz: 0 | 2, dst: string, a: string, b: string): string => {
  const fl = sz === 0 ? flags8 : flags;
  const m = sz === 0 ? " & 0xff" : " | 0";
  return `{
  const a_ = ${a};
  const b_ = ${b};
  if ($OP === 0) { ${dst} = (a_ + b_)${m}; ${fl(1, dst, "a_", "b_")} }
  else if ($OP === 5 || $OP === 7) { ${dst} = (a_ - b_)${m}; ${fl(3, dst, "a_", "b_")} }
  else if ($OP === 4) { ${dst} = (a_ & b_)${m}; ${fl(5, dst, "a_", "b_")} }
  else if ($OP === 1) { ${dst} = (a_ | b_)${m}; ${fl(5, dst, "a_", "b_")} }
  else if ($OP === 6) { ${dst} = (a_ ^ b_)${m}; ${fl(5, dst, "a_", "b_")} }
  else ${dst} = alu(c, $OP, a_, b_, ${sz});
}`;
};

/**
 * The miss path of a read-modify-write access (rmw), which has none: it comes first in
 * its instruction, so missExits always puts the executor's exit there (and says so when
 * it cannot), and the byte interpreter runs the instruction.
 */
const NO_MISS_PATH = "noMissPath()";

/**
 * A read-modify-write of the byte (size 0) or aligned dword (size 2) at seg:(ea), with
 * segW's and wr8/wr32's fast paths inlined: `update(old, dst)` computes the value written
 * into `dst` (and the flags, before the write). Its miss path is NO_MISS_PATH.
 */
const rmw = (sz: 0 | 2, seg: string, ea: string, update: (old: string, dst: string) => string): string => {
  const cell = sz === 0 ? "c.ram[p_]" : "c.ram32[p_]";
  return `{ /*access*/
  const ea_ = ${ea};
  const lin_ = (c.segBase[${seg}] + ea_) | 0;
  const e_ = c.tlb[lin_ >>> 12];
  const m_ = c.wmask;
  if ((c.segAttr[${seg}] & 0x9e) === 0x92 && ${sz === 0 ? "ea_ >>> 0" : "(ea_ >>> 0) + 3"} <= c.segLimit[${seg}] >>> 0${sz === 0 ? "" : " && (lin_ & 3) === 0"} && (e_ & m_) === m_) {
    const p_ = ${sz === 0 ? "(e_ & ~0xfff) | (lin_ & 0xfff)" : "((e_ & ~0xfff) | (lin_ & 0xfff)) >> 2"};
    let v_ = 0;
    ${update(cell, "v_")}
    ${cell} = v_;
  } else { /*miss*/ ${NO_MISS_PATH}; }
}`;
};

/** TEST of the memory operand (read by `load`) with `operand`: the logic flags of the result. */
const testMem = (load: typeof load32, operand: string, fl: typeof flags): string => `$SAVE {
  let v = 0;
  ${load("v", "$SEG", "$EA")}
  v &= ${operand};
  ${fl(5, "v", "0", "0")}
}`;

const rrForm = (opExpr: (a: string, b: string) => string, lf: number, write: boolean, imm: boolean): Form => ({
  mem: false,
  ends: false,
  body: `{
  const a = r[$D];
  const b = ${imm ? "$IMM" : "r[$S]"};
  const v = (${opExpr("a", "b")}) | 0;
  ${write ? "r[$D] = v;" : ""}
  ${flags(lf, "v", "a", "b")}
}`,
});

/** CMP r/m, r or r/m, imm on memory (size 0 byte, 2 dword) with `b`: the flags of the operand read minus `b`. */
const cmpMem = (sz: 0 | 2, b: string): string => `$SAVE {
  let a = 0;
  ${sz === 0 ? load8("a", "$SEG", "$EA") : load32("a", "$SEG", "$EA")}
  ${sz === 0 ? cmp8("a", b) : cmp32("a", b)}
  c.cyc += MEM_READ;
}`;

/** ALU r/m, r or r/m, imm on memory (size 0 byte, 2 dword) with `b`, but CMP (cmpMem): reads, modifies and writes the operand. */
const aluMem = (sz: 0 | 2, b: string): string => `$SAVE
  ${rmw(sz, "$SEG", "$EA", (old, dst) => aluOp(sz, dst, old, b))}
  c.cyc += MEM_RMW;`;

/** ALU r8, r8 or r8, imm8 with `b`. */
const alu8Reg = (b: string): string => `{
  let v = 0;
  ${aluOp(0, "v", "c.reg8[R8[$D]]", b)}
  if ($OP !== 7) c.reg8[R8[$D]] = v;
}`;

/** Every fast form by handler id. */
export const FORMS: Partial<Record<H, Form>> = {
  [H.MovRR]: { mem: false, ends: false, body: "r[$D] = r[$S];" },
  [H.TestRR8]: { mem: false, ends: false, body: `{ const v = c.reg8[R8[$D]] & c.reg8[R8[$S]]; ${flags8(5, "v", "0", "0")} }` },
  [H.TestRI8]: { mem: false, ends: false, body: `{ const v = c.reg8[R8[$D]] & $IMM; ${flags8(5, "v", "0", "0")} }` },
  [H.TestMR8]: { mem: true, ends: false, body: testMem(load8, "c.reg8[R8[$S]]", flags8) },
  [H.TestMI8]: { mem: true, ends: false, body: testMem(load8, "$IMM", flags8) },
  [H.TestMI]: { mem: true, ends: false, body: testMem(load32, "$IMM", flags) },
  // exec.ts grp3 on a register: NOT sets no flags, NEG is SUB from 0 (alu.ts neg)
  [H.NotR]: { mem: false, ends: false, body: "r[$D] = ~r[$D];" },
  [H.NegR]: {
    mem: false, ends: false, body: `{
  const a = 0;
  const b = r[$D];
  const v = (a - b) | 0;
  r[$D] = v;
  ${flags(3, "v", "a", "b")}
}`,
  },
  // exec.ts grp3 on a register: $SIGNED for IMUL/IDIV; DIV may raise #DE
  [H.MulR]: { mem: false, ends: false, body: "c.cyc += 12; multiply(c, r[$D], 2, $SIGNED);" },
  [H.DivR]: { mem: false, ends: false, body: "$SAVE c.cyc += 39; divide(c, r[$D], 2, $SIGNED);" },
  [H.MovR8I]: { mem: false, ends: false, body: "c.reg8[R8[$D]] = $IMM;" },
  // exec.ts grp1 on a 16-bit register
  [H.Alu16RI]: {
    mem: false, ends: false, body: `{
  const v = alu(c, $OP, c.reg16[$D << 1], $IMM, 1);
  if ($OP !== 7) c.reg16[$D << 1] = v;
}`,
  },
  [H.MovRR16]: { mem: false, ends: false, body: "c.reg16[$D << 1] = c.reg16[$S << 1];" },
  // exec0f.ts: CMOVcc reads its source (and charges the read first) whatever the condition
  [H.CmovRR]: { mem: false, ends: false, body: "if (cond(c, $OP) !== 0) r[$D] = r[$S];" },
  [H.CmovRM]: {
    mem: true, ends: false, body: `$SAVE {
  let v = 0;
  c.cyc += MEM_READ;
  ${load32("v", "$SEG", "$EA")}
  if (cond(c, $OP) !== 0) r[$D] = v;
}`,
  },
  [H.SetccR]: { mem: false, ends: false, body: "c.reg8[R8[$D]] = cond(c, $OP);" },
  // exec0f.ts doubleShift on a register: $OP 1 for SHLD, 0 for SHRD; count from CL or the immediate
  [H.ShiftDR]: { mem: false, ends: false, body: "r[$D] = shiftDouble(c, $OP === 1, r[$D], r[$S], ($CL ? c.reg8[4] : $IMM) & 31, 2);" },
  [H.Load16]: {
    mem: true, ends: false, body: `$SAVE {
  let v = 0;
  ${load16("v", "$SEG", "$EA")}
  c.reg16[$D << 1] = v;
}`,
  },
  [H.Store16]: { mem: true, ends: false, body: `$SAVE ${store16("$SEG", "$EA", "c.reg16[$S << 1]")}` },
  [H.MovM8I]: { mem: true, ends: false, body: `$SAVE ${store8("$SEG", "$EA", "$IMM")}` },
  [H.Load32]: { mem: true, ends: false, body: `$SAVE ${load32("r[$D]", "$SEG", "$EA")}` },
  [H.Store32]: { mem: true, ends: false, body: `$SAVE ${store32("$SEG", "$EA", "r[$S]")}` },
  [H.AluRR]: {
    mem: false, ends: false, body: `
  if ($OP === 7) sub32(c, r[$D], r[$S]);
  else r[$D] = alu(c, $OP, r[$D], r[$S], 2);`,
  },
  [H.AluMR]: { mem: true, ends: false, body: aluMem(2, "r[$S]") },
  [H.CmpMR]: { mem: true, ends: false, body: cmpMem(2, "r[$S]") },
  [H.AluRM]: {
    mem: true, ends: false, body: `$SAVE
  {
    let b = 0;
    ${load32("b", "$SEG", "$EA")}
    c.cyc += MEM_READ;
    let v = 0;
    ${aluOp(2, "v", "r[$D]", "b")}
    r[$D] = v;
  }`,
  },
  [H.CmpRM]: {
    mem: true, ends: false, body: `$SAVE
  {
    let b = 0;
    ${load32("b", "$SEG", "$EA")}
    c.cyc += MEM_READ;
    ${cmp32("r[$D]", "b")}
  }`,
  },
  [H.AluRI]: {
    mem: false, ends: false, body: `
  if ($OP === 7) sub32(c, r[$D], $IMM);
  else r[$D] = alu(c, $OP, r[$D], $IMM, 2);`,
  },
  [H.AluMI]: { mem: true, ends: false, body: aluMem(2, "$IMM") },
  [H.CmpMI]: { mem: true, ends: false, body: cmpMem(2, "$IMM") },
  // ALU r8, imm8 (80 /op on a register; 04, 0C, ... on AL: $D 0)
  [H.Alu8RI]: { mem: false, ends: false, body: alu8Reg("$IMM") },
  // CLD, STD (FC, FD): the direction flag, which the lazy record does not hold
  [H.SetDF]: { mem: false, ends: false, body: "if ($OP === 0) c.flags &= ~0x400; else c.flags |= 0x400;" },
  [H.Alu8MI]: { mem: true, ends: false, body: aluMem(0, "$IMM") },
  [H.Cmp8MI]: { mem: true, ends: false, body: cmpMem(0, "$IMM") },
  [H.TestRR]: { mem: false, ends: false, body: `{ const v = r[$D] & r[$S]; ${flags(5, "v", "0", "0")} }` },
  [H.TestRI]: { mem: false, ends: false, body: `{ const v = r[$D] & $IMM; ${flags(5, "v", "0", "0")} }` },
  [H.TestMR]: { mem: true, ends: false, body: testMem(load32, "r[$S]", flags) },
  // alu.ts inc/dec inlined; CF after a logic op is 0
  [H.Inc]: {
    mem: false, ends: false, body: `{
  const a = r[$D];
  c.lfCin = c.lfOp === 5 ? 0 : getCF(c);
  const v = (a + 1) | 0;
  r[$D] = v;
  ${flags(6, "v", "a", "1")}
}`,
  },
  [H.Dec]: {
    mem: false, ends: false, body: `{
  const a = r[$D];
  c.lfCin = c.lfOp === 5 ? 0 : getCF(c);
  const v = (a - 1) | 0;
  r[$D] = v;
  ${flags(7, "v", "a", "1")}
}`,
  },
  // exec.ts incDecRm on memory: the flags are set before the write, as there
  [H.IncDecM]: {
    mem: true, ends: false, body: `$SAVE
  ${rmw(2, "$SEG", "$EA", (old, dst) => `{
    const a = ${old};
    c.lfCin = c.lfOp === 5 ? 0 : getCF(c);
    ${dst} = ($OP === 0 ? a + 1 : a - 1) | 0;
    if ($OP === 0) { ${flags(6, dst, "a", "1")} } else { ${flags(7, dst, "a", "1")} }
  }`)}
  c.cyc += MEM_RMW;`,
  },
  // exec.ts grp5 PUSH r/m32 on memory
  [H.PushM]: {
    mem: true, ends: false, body: `$SAVE {
  let pm_ = 0;
  ${load32("pm_", "$SEG", "$EA")}
  ${push("pm_")}
  c.cyc += 3;
}`,
  },
  [H.Push]: { mem: true, ends: false, body: `$SAVE ${push("r[$D]")}` },
  [H.PushI]: { mem: true, ends: false, body: `$SAVE ${push("$IMM")}` },
  [H.Call]: {
    mem: true, ends: true, body: `$SAVE
  {
    const target = ($NEXT + $IMM) | 0;
    if (target >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
    c.eip = target;
    ${push("$NEXT")}
  }
  $EXIT`,
  },
  [H.Pop]: {
    mem: true, ends: false, body: `$SAVE
  {
    let v = 0;
    ${top("v")}
    ${addSp("4")}
    r[$D] = v;
  }`,
  },
  [H.Ret]: {
    mem: true, ends: true, body: `$SAVE
  {
    let v = 0;
    ${top("v")}
    ${jump("v")}
    ${addSp("4 + $IMM")}
  }
  $EXIT`,
  },
  // exec.ts grp5 FF /4 and /2: the target is read first; CALL checks it against the CS
  // limit before pushing the return address
  [H.JmpR]: { mem: false, ends: true, body: `$SAVE ${jump("r[$D]")} c.cyc += 4; $EXIT` },
  [H.JmpM]: {
    mem: true, ends: true, body: `$SAVE {
  let t_ = 0;
  ${load32("t_", "$SEG", "$EA")}
  ${jump("t_")}
  c.cyc += 4;
}
$EXIT`,
  },
  [H.CallR]: {
    mem: true, ends: true, body: `$SAVE {
  const t_ = r[$D];
  if (t_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
  ${push("$NEXT")}
  c.cyc += 4;
  c.eip = t_;
}
$EXIT`,
  },
  [H.CallM]: {
    mem: true, ends: true, body: `$SAVE {
  let t_ = 0;
  ${load32("t_", "$SEG", "$EA")}
  if (t_ >>> 0 > c.segLimit[1] >>> 0) c.fault(13, 0);
  ${push("$NEXT")}
  c.cyc += 4;
  c.eip = t_;
}
$EXIT`,
  },
  [H.MovRI]: { mem: false, ends: false, body: "r[$D] = $IMM;" },
  [H.Lea]: { mem: false, ends: false, body: "r[$D] = $EA;" },
  [H.Jcc]: {
    mem: false, ends: false, body: `
  if (cond(c, $OP) !== 0) {
    $SAVE
    c.cyc += BRANCH_TAKEN;
    ${jump("($NEXT + $IMM) | 0")}
    $EXIT
  }`,
  },
  [H.Jmp]: {
    mem: false, ends: true, body: `$SAVE
  ${jump("($NEXT + $IMM) | 0")}
  $EXIT`,
  },
  [H.MovxR]: {
    mem: false, ends: false, body: `
  if ($WORD) r[$D] = $SIGNED ? (c.reg16[$S << 1] << 16) >> 16 : c.reg16[$S << 1];
  else r[$D] = $SIGNED ? (c.reg8[R8[$S]] << 24) >> 24 : c.reg8[R8[$S]];`,
  },
  [H.MovxM]: {
    mem: true, ends: false, body: `$SAVE
  {
    let v = 0;
    if ($WORD) {
      ${load16("v", "$SEG", "$EA")}
      r[$D] = $SIGNED ? (v << 16) >> 16 : v;
    } else {
      ${load8("v", "$SEG", "$EA")}
      r[$D] = $SIGNED ? (v << 24) >> 24 : v;
    }
  }`,
  },
  [H.ShiftR]: {
    mem: false, ends: false, body: `{
  const cnt = ($CL ? c.reg8[4] : $IMM) & 31;
  if (($OP & 7) === 2 || ($OP & 7) === 3) c.cyc += cnt;
  r[$D] = shift(c, $OP & 7, r[$D], cnt, 2);
}`,
  },
  [H.Store8]: {
    mem: true, ends: false,
    body: `$SAVE ${store8("$SEG", "$EA", "c.reg8[R8[$S]]")}`,
  },
  [H.Load8]: {
    mem: true, ends: false,
    body: `$SAVE
  {
    let v = 0;
    ${load8("v", "$SEG", "$EA")}
    c.reg8[R8[$D]] = v;
  }`,
  },
  [H.MovRR8]: { mem: false, ends: false, body: "c.reg8[R8[$D]] = c.reg8[R8[$S]];" },
  [H.MovMI]: { mem: true, ends: false, body: `$SAVE ${store32("$SEG", "$EA", "$IMM")}` },
  [H.Nop]: { mem: false, ends: false, body: "" },
  [H.Cdq]: { mem: false, ends: false, body: "r[2] = r[0] >> 31;" },
  [H.Alu8RR]: { mem: false, ends: false, body: alu8Reg("c.reg8[R8[$S]]") },
  [H.Alu8MR]: { mem: true, ends: false, body: aluMem(0, "c.reg8[R8[$S]]") },
  [H.Cmp8MR]: { mem: true, ends: false, body: cmpMem(0, "c.reg8[R8[$S]]") },
  [H.Alu8RM]: {
    mem: true, ends: false, body: `$SAVE
  {
    let b = 0;
    ${load8("b", "$SEG", "$EA")}
    c.cyc += MEM_READ;
    let v = 0;
    ${aluOp(0, "v", "c.reg8[R8[$D]]", "b")}
    if ($OP !== 7) c.reg8[R8[$D]] = v;
  }`,
  },
  [H.Leave]: {
    mem: true, ends: false, body: `$SAVE
  {
    const s32 = c.stack32;
    const bp = s32 ? r[5] : c.reg16[10];
    const v = rd32(c, segR(c, 2, bp, 3));
    if (s32) r[4] = (bp + 4) | 0;
    else c.reg16[8] = bp + 4;
    r[5] = v;
  }`,
  },
  [H.ImulR]: { mem: false, ends: false, body: "r[$D] = imulTrunc(c, r[$D], r[$S], 2);" },
  [H.ImulM]: {
    mem: true, ends: false,
    body: "$SAVE r[$D] = imulTrunc(c, r[$D], rd32(c, segR(c, $SEG, $EA, 3)), 2);",
  },
  [H.AddRR]: rrForm((a, b) => `${a} + ${b}`, 1, true, false),
  [H.AddRI]: rrForm((a, b) => `${a} + ${b}`, 1, true, true),
  [H.SubRR]: rrForm((a, b) => `${a} - ${b}`, 3, true, false),
  [H.SubRI]: rrForm((a, b) => `${a} - ${b}`, 3, true, true),
  [H.CmpRR]: rrForm((a, b) => `${a} - ${b}`, 3, false, false),
  [H.CmpRI]: rrForm((a, b) => `${a} - ${b}`, 3, false, true),
  [H.AndRR]: rrForm((a, b) => `${a} & ${b}`, 5, true, false),
  [H.AndRI]: rrForm((a, b) => `${a} & ${b}`, 5, true, true),
  [H.OrRR]: rrForm((a, b) => `${a} | ${b}`, 5, true, false),
  [H.OrRI]: rrForm((a, b) => `${a} | ${b}`, 5, true, true),
  [H.XorRR]: rrForm((a, b) => `${a} ^ ${b}`, 5, true, false),
  [H.XorRI]: rrForm((a, b) => `${a} ^ ${b}`, 5, true, true),
};
