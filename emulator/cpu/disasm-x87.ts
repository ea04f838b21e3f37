// Text of the x87 escape instructions D8-DF for the disassembler (disasm.ts), as GNU objdump
// -M intel prints them (Intel SDM Vol. 2, A.4 "Escape Opcode Instructions"): memory forms with
// their operand size, register forms with st / st(i). objdump's own choices are kept: the
// undocumented register aliases (DC D0, DD C8, DF C0+ ...) other than FFREEP are "(bad)", and
// FISTTP (SSE3, #UD on this CPU) is named.

const ARITH = ["fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"];
const IARITH = ARITH.map((m) => m.replace("f", "fi"));

/** Memory forms per escape byte and ModRM reg: "mnemonic size" (size d q t w, or none). */
const MEM: Record<number, string[]> = {
  0xd8: ARITH.map((m) => `${m} d`),
  0xd9: ["fld d", "", "fst d", "fstp d", "fldenv", "fldcw w", "fnstenv", "fnstcw w"],
  0xda: IARITH.map((m) => `${m} d`),
  0xdb: ["fild d", "fisttp d", "fist d", "fistp d", "", "fld t", "", "fstp t"],
  0xdc: ARITH.map((m) => `${m} q`),
  0xdd: ["fld q", "fisttp q", "fst q", "fstp q", "frstor", "", "fnsave", "fnstsw w"],
  0xde: IARITH.map((m) => `${m} w`),
  0xdf: ["fild w", "fisttp w", "fist w", "fistp w", "fbld t", "fild q", "fbstp t", "fistp q"],
};

const PTR: Record<string, string> = { d: "DWORD PTR ", q: "QWORD PTR ", t: "TBYTE PTR ", w: "WORD PTR " };

const D9_E0 = [
  "fchs", "fabs", "", "", "ftst", "fxam", "", "",
  "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", "",
  "f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp",
  "fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos",
];
const DB_E0 = ["fneni(8087 only)", "fndisi(8087 only)", "fnclex", "fninit", "fnsetpm(287 only)", "frstpm(287 only)"];
const FCMOV = ["fcmovb", "fcmove", "fcmovbe", "fcmovu"];

function pad(m: string, ops: string): string {
  return m.padEnd(6) + " " + ops;
}

/** A memory form: `mem` is the operand text without size; os32 false adds objdump's "w" to the environment forms. Null for undefined. */
export function x87Memory(op: number, reg: number, mem: string, os32: boolean): string | null {
  const spec = MEM[op][reg];
  if (spec === "") return null;
  const [m, size] = spec.split(" ");
  if (size === undefined) return pad(os32 ? m : `${m}w`, mem);
  return pad(m, PTR[size] + mem);
}

/** A register form (ModRM m >= C0), or null for "(bad)". */
export function x87Register(op: number, m: number): string | null {
  const reg = (m >> 3) & 7;
  const i = m & 7;
  const sti = `st(${i})`;
  switch (op) {
    case 0xd8:
      return reg === 2 || reg === 3 ? pad(ARITH[reg], sti) : pad(ARITH[reg], `st,${sti}`);
    case 0xd9:
      if (reg === 0) return pad("fld", sti);
      if (reg === 1) return pad("fxch", sti);
      if (m === 0xd0) return "fnop";
      if (m < 0xe0) return null;
      return D9_E0[m - 0xe0] || null;
    case 0xda:
      if (reg < 4) return pad(FCMOV[reg], `st,${sti}`);
      return m === 0xe9 ? "fucompp" : null;
    case 0xdb:
      if (reg < 4) return pad(FCMOV[reg].replace("fcmov", "fcmovn"), `st,${sti}`);
      if (reg === 4) return DB_E0[i] ?? null;
      if (reg === 5) return pad("fucomi", `st,${sti}`);
      if (reg === 6) return pad("fcomi", `st,${sti}`);
      return null;
    case 0xdc:
    case 0xde: {
      const p = op === 0xde ? "p" : "";
      if (reg === 2) return null;
      if (reg === 3) return op === 0xde && i === 1 ? "fcompp" : null;
      return pad(ARITH[reg >= 4 ? reg ^ 1 : reg] + p, `${sti},st`);
    }
    case 0xdd:
      return [pad("ffree", sti), null, pad("fst", sti), pad("fstp", sti), pad("fucom", sti), pad("fucomp", sti), null, null][reg];
    default: // 0xdf
      if (reg === 0) return pad("ffreep", sti);
      if (m === 0xe0) return pad("fnstsw", "ax");
      if (reg === 5) return pad("fucomip", `st,${sti}`);
      if (reg === 6) return pad("fcomip", `st,${sti}`);
      return null;
  }
}
