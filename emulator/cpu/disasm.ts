// A disassembler for the i486 integer instruction set (plus CPUID, RDTSC,
// RDMSR/WRMSR and the P6 integer additions), printing Intel syntax as GNU objdump -M intel and gdb's
// `set disassembly-flavor intel` do: `mov    eax,DWORD PTR [ebp+0x8]`.
// The monitor's `x/i` and the tests use it; it never touches the CPU. The x87
// escapes (D8..DF) are printed by disasm-x87.ts.
//
// Tables: one string per opcode, "mnemonic operand,operand", operands in the
// Intel manual's notation (E = ModRM r/m, G = ModRM reg, I = immediate, J =
// relative target, O = moffs, X/Y = string source/destination; b/w/d/v/z =
// byte/word/dword/operand size). A mnemonic containing '|' has a 16|32-bit
// pair chosen by the operand size; "/grp" names a ModRM-reg group table.

import { x87Memory, x87Register } from "./disasm-x87.ts";

/** One decoded instruction: its length in bytes and its text ("(bad)" for undefined encodings). */
export interface Disassembly {
  length: number;
  text: string;
}

const REG32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const REG16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const REG8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
const SREG = ["es", "cs", "ss", "ds", "fs", "gs", "?", "?"];
const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
const MEM16 = ["bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"];

const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];

function buildOne(): string[] {
  const t: string[] = new Array(256).fill("(bad)");
  for (let i = 0; i < 8; i++) {
    const b = i * 8;
    t[b] = `${ALU[i]} Eb,Gb`;
    t[b + 1] = `${ALU[i]} Ev,Gv`;
    t[b + 2] = `${ALU[i]} Gb,Eb`;
    t[b + 3] = `${ALU[i]} Gv,Ev`;
    t[b + 4] = `${ALU[i]} al,Ib`;
    t[b + 5] = `${ALU[i]} eAX,Iz`;
  }
  t[0x06] = "push es"; t[0x07] = "pop es"; t[0x0e] = "push cs"; t[0x16] = "push ss"; t[0x17] = "pop ss";
  t[0x1e] = "push ds"; t[0x1f] = "pop ds"; t[0x27] = "daa"; t[0x2f] = "das"; t[0x37] = "aaa"; t[0x3f] = "aas";
  for (let r = 0; r < 8; r++) {
    t[0x40 + r] = `inc r${r}`;
    t[0x48 + r] = `dec r${r}`;
    t[0x50 + r] = `push r${r}`;
    t[0x58 + r] = `pop r${r}`;
    t[0x90 + r] = r === 0 ? "nop" : `xchg r${r},eAX`;
    t[0xb0 + r] = `mov b${r},Ib`;
    t[0xb8 + r] = `mov r${r},Iv`;
  }
  t[0x60] = "pushaw|pusha"; t[0x61] = "popaw|popa"; t[0x62] = "bound Gv,Ma"; t[0x63] = "arpl Ew,Gw";
  t[0x68] = "push Iz"; t[0x69] = "imul Gv,Ev,Iz"; t[0x6a] = "push Ibs"; t[0x6b] = "imul Gv,Ev,Ibs";
  t[0x6c] = "ins Yb,dx"; t[0x6d] = "ins Yv,dx"; t[0x6e] = "outs dx,Xb"; t[0x6f] = "outs dx,Xv";
  for (let c = 0; c < 16; c++) {
    t[0x70 + c] = `j${CC[c]} Jb`;
  }
  t[0x80] = "/80 Eb,Ib"; t[0x81] = "/80 Ev,Iz"; t[0x82] = "/80 Eb,Ib"; t[0x83] = "/80 Ev,Ibs";
  t[0x84] = "test Eb,Gb"; t[0x85] = "test Ev,Gv"; t[0x86] = "xchg Eb,Gb"; t[0x87] = "xchg Ev,Gv";
  t[0x88] = "mov Eb,Gb"; t[0x89] = "mov Ev,Gv"; t[0x8a] = "mov Gb,Eb"; t[0x8b] = "mov Gv,Ev";
  t[0x8c] = "mov Esv,Sw"; t[0x8d] = "lea Gv,M"; t[0x8e] = "mov Sw,Esv"; t[0x8f] = "pop Ev";
  t[0x98] = "cbw|cwde"; t[0x99] = "cwd|cdq"; t[0x9a] = "callw|call Ap"; t[0x9b] = "fwait";
  t[0x9c] = "pushfw|pushf"; t[0x9d] = "popfw|popf"; t[0x9e] = "sahf"; t[0x9f] = "lahf";
  t[0xa0] = "mov al,Ob"; t[0xa1] = "mov eAX,Ov"; t[0xa2] = "mov Ob,al"; t[0xa3] = "mov Ov,eAX";
  t[0xa4] = "movs Yb,Xb"; t[0xa5] = "movs Yv,Xv"; t[0xa6] = "cmps Xb,Yb"; t[0xa7] = "cmps Xv,Yv";
  t[0xa8] = "test al,Ib"; t[0xa9] = "test eAX,Iz"; t[0xaa] = "stos Yb,al"; t[0xab] = "stos Yv,eAX";
  t[0xac] = "lods al,Xb"; t[0xad] = "lods eAX,Xv"; t[0xae] = "scas al,Yb"; t[0xaf] = "scas eAX,Yv";
  t[0xc0] = "/c0 Eb,Ib"; t[0xc1] = "/c0 Ev,Ib"; t[0xc2] = "ret Iw"; t[0xc3] = "ret";
  t[0xc4] = "les Gv,Mp"; t[0xc5] = "lds Gv,Mp"; t[0xc6] = "/c6 Eb,Ib"; t[0xc7] = "/c6 Ev,Iz";
  t[0xc8] = "enter Iw,Ib"; t[0xc9] = "leave"; t[0xca] = "retf Iw"; t[0xcb] = "retf";
  t[0xcc] = "int3"; t[0xcd] = "int Ib"; t[0xce] = "into"; t[0xcf] = "iretw|iret";
  t[0xd0] = "/c0 Eb,1"; t[0xd1] = "/c0 Ev,1"; t[0xd2] = "/c0 Eb,cl"; t[0xd3] = "/c0 Ev,cl";
  t[0xd4] = "aam Ib"; t[0xd5] = "aad Ib"; t[0xd7] = "xlat Xlat";
  for (let i = 0xd8; i <= 0xdf; i++) t[i] = "(fpu)";
  t[0xe0] = "loopne Jb"; t[0xe1] = "loope Jb"; t[0xe2] = "loop Jb"; t[0xe3] = "jcxz|jecxz Jb";
  t[0xe4] = "in al,Ib"; t[0xe5] = "in eAX,Ib"; t[0xe6] = "out Ib,al"; t[0xe7] = "out Ib,eAX";
  t[0xe8] = "callw|call Jz"; t[0xe9] = "jmpw|jmp Jz"; t[0xea] = "jmpw|jmp Ap"; t[0xeb] = "jmp Jb";
  t[0xec] = "in al,dx"; t[0xed] = "in eAX,dx"; t[0xee] = "out dx,al"; t[0xef] = "out dx,eAX";
  t[0xf1] = "icebp"; t[0xf4] = "hlt"; t[0xf5] = "cmc"; t[0xf6] = "/f6 Eb"; t[0xf7] = "/f6 Ev";
  t[0xf8] = "clc"; t[0xf9] = "stc"; t[0xfa] = "cli"; t[0xfb] = "sti"; t[0xfc] = "cld"; t[0xfd] = "std";
  t[0xfe] = "/fe Eb"; t[0xff] = "/ff Ev";
  return t;
}

function buildTwo(): string[] {
  const t: string[] = new Array(256).fill("(bad)");
  t[0x00] = "/0f00 Ew"; t[0x01] = "/0f01 M"; t[0x02] = "lar Gv,Ew"; t[0x03] = "lsl Gv,Ew";
  t[0x06] = "clts"; t[0x08] = "invd"; t[0x09] = "wbinvd"; t[0x0b] = "ud2";
  t[0x20] = "mov Rd,Cd"; t[0x21] = "mov Rd,Dd"; t[0x22] = "mov Cd,Rd"; t[0x23] = "mov Dd,Rd";
  t[0x30] = "wrmsr"; t[0x31] = "rdtsc"; t[0x32] = "rdmsr"; t[0x33] = "rdpmc";
  for (let op = 0x19; op <= 0x1f; op++) t[op] = "nop Ev";
  t[0xc7] = "/0fc7 Mq";
  for (let c = 0; c < 16; c++) {
    t[0x40 + c] = `cmov${CC[c]} Gv,Ev`;
    t[0x80 + c] = `j${CC[c]} Jz`;
    t[0x90 + c] = `set${CC[c]} Eb`;
  }
  t[0xa0] = "push fs"; t[0xa1] = "pop fs"; t[0xa2] = "cpuid"; t[0xa3] = "bt Ev,Gv";
  t[0xa4] = "shld Ev,Gv,Ib"; t[0xa5] = "shld Ev,Gv,cl"; t[0xa8] = "push gs"; t[0xa9] = "pop gs";
  t[0xab] = "bts Ev,Gv"; t[0xac] = "shrd Ev,Gv,Ib"; t[0xad] = "shrd Ev,Gv,cl"; t[0xaf] = "imul Gv,Ev";
  t[0xb0] = "cmpxchg Eb,Gb"; t[0xb1] = "cmpxchg Ev,Gv"; t[0xb2] = "lss Gv,Mp"; t[0xb3] = "btr Ev,Gv";
  t[0xb4] = "lfs Gv,Mp"; t[0xb5] = "lgs Gv,Mp"; t[0xb6] = "movzx Gv,Eb"; t[0xb7] = "movzx Gv,Ew";
  t[0xba] = "/0fba Ev,Ib"; t[0xbb] = "btc Ev,Gv"; t[0xbc] = "bsf Gv,Ev"; t[0xbd] = "bsr Gv,Ev";
  t[0xbe] = "movsx Gv,Eb"; t[0xbf] = "movsx Gv,Ew"; t[0xc0] = "xadd Eb,Gb"; t[0xc1] = "xadd Ev,Gv";
  for (let r = 0; r < 8; r++) t[0xc8 + r] = `bswap R${r}`;
  return t;
}

const ONE = buildOne();
const TWO = buildTwo();

/** ModRM-reg groups: the mnemonic per reg field; "(bad)" where undefined. Operands may be overridden after ':'. */
const GROUPS: Record<string, string[]> = {
  "/80": ALU,
  "/c0": ["rol", "ror", "rcl", "rcr", "shl", "shr", "(bad)", "sar"],
  "/c6": ["mov", "(bad)", "(bad)", "(bad)", "(bad)", "(bad)", "(bad)", "(bad)"],
  "/f6": ["test:E,I", "test:E,I", "not", "neg", "mul", "imul", "div", "idiv"],
  "/fe": ["inc", "dec", "(bad)", "(bad)", "(bad)", "(bad)", "(bad)", "(bad)"],
  "/ff": ["inc", "dec", "call", "call:Ep", "jmp", "jmp:Ep", "push", "(bad)"],
  "/0f00": ["sldt", "str", "lldt", "ltr", "verr", "verw", "(bad)", "(bad)"],
  "/0f01": ["sgdtd:Mn", "sidtd:Mn", "lgdtd:Mn", "lidtd:Mn", "smsw:Ew", "(bad)", "lmsw:Ew", "invlpg:Mb"],
  "/0fba": ["(bad)", "(bad)", "(bad)", "(bad)", "bt", "bts", "btr", "btc"],
  "/0fc7": ["(bad)", "cmpxchg8b", "(bad)", "(bad)", "(bad)", "(bad)", "(bad)", "(bad)"],
};

const hex = (v: number): string => "0x" + (v >>> 0).toString(16);

/** Decoder state for one instruction. */
class Decoder {
  pos = 0;
  os32: boolean;
  as32: boolean;
  seg = -1;
  rep = 0; // 0xf2 / 0xf3 or 0
  lock = false;
  modrm = -1;
  bad = false;
  usedSeg = false;

  constructor(
    private readonly read: (offset: number) => number,
    readonly eip: number,
    readonly code32: boolean,
  ) {
    this.os32 = code32;
    this.as32 = code32;
  }

  byte(): number {
    const b = this.read(this.pos++);
    if (b < 0 || b > 255 || this.pos > 15) {
      this.bad = true;
      return 0;
    }
    return b;
  }
  word(): number {
    const lo = this.byte();
    return lo | (this.byte() << 8);
  }
  dword(): number {
    const lo = this.word();
    return (lo | (this.word() << 16)) >>> 0;
  }
  getModrm(): number {
    if (this.modrm < 0) this.modrm = this.byte();
    return this.modrm;
  }

  segPrefix(def: string): string {
    if (this.seg >= 0) {
      this.usedSeg = true;
      return SREG[this.seg] + ":";
    }
    return def;
  }

  /** The memory operand of the ModRM byte (mod != 3), without size. */
  memory(): string {
    const m = this.getModrm();
    const mod = m >> 6;
    const rm = m & 7;
    if (!this.as32) {
      if (mod === 0 && rm === 6) return this.segPrefix("ds:") + hex(this.word());
      let disp = "";
      if (mod === 1) disp = signedDisp((this.byte() << 24) >> 24);
      else if (mod === 2) disp = signedDisp((this.word() << 16) >> 16);
      return this.segPrefix("") + "[" + MEM16[rm] + disp + "]";
    }
    let base = -1;
    let index = -1;
    let scale = 0;
    let noBaseDisp = false;
    if (rm === 4) {
      const sib = this.byte();
      base = sib & 7;
      index = (sib >> 3) & 7;
      scale = sib >> 6;
      if (index === 4) index = -1;
      if (base === 5 && mod === 0) {
        base = -1;
        noBaseDisp = true;
      }
    } else if (rm === 5 && mod === 0) {
      return this.segPrefix("ds:") + hex(this.dword());
    } else {
      base = rm;
    }
    let disp = "";
    if (mod === 1) disp = signedDisp((this.byte() << 24) >> 24);
    else if (mod === 2) disp = signedDisp(this.dword() | 0);
    else if (noBaseDisp) {
      const d = this.dword();
      if (index < 0) return this.segPrefix("ds:") + hex(d);
      disp = signedDisp(d | 0);
    }
    let inner = base >= 0 ? REG32[base] : "";
    if (index >= 0) inner += (inner ? "+" : "") + REG32[index] + "*" + (1 << scale);
    else if (rm === 4 && (base !== 4 || scale !== 0)) inner += (inner ? "+" : "") + "eiz*" + (1 << scale);
    return this.segPrefix("") + "[" + inner + disp + "]";
  }
}

function signedDisp(d: number): string {
  return d < 0 ? "-" + hex(-d) : "+" + hex(d);
}

const SIZE_PTR: Record<string, string> = { b: "BYTE PTR ", w: "WORD PTR ", d: "DWORD PTR ", q: "QWORD PTR ", p: "FWORD PTR " };

/**
 * Disassembles the instruction whose bytes `read(0)`, `read(1)`, ... return
 * (a value outside 0..255 means unreadable: the result is "(bad)" with the
 * bytes read so far). `eip` is the instruction's offset (for jump targets),
 * `code32` the default operand/address size. Allocates; for the monitor only.
 */
export function disassemble(read: (offset: number) => number, eip: number, code32 = true): Disassembly {
  const d = new Decoder(read, eip, code32);
  let op = 0;
  for (;;) {
    op = d.byte();
    if (d.bad) return { length: Math.max(1, d.pos - 1), text: "(bad)" };
    if (op === 0x66) d.os32 = !code32;
    else if (op === 0x67) d.as32 = !code32;
    else if (op === 0xf0) d.lock = true;
    else if (op === 0xf2 || op === 0xf3) d.rep = op;
    else if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) d.seg = (op >> 3) & 3;
    else if (op === 0x64 || op === 0x65) d.seg = op - 0x60;
    else break;
  }
  let spec: string;
  if (op === 0x0f) spec = TWO[d.byte()];
  else spec = ONE[op];
  const sp = spec.indexOf(" ");
  let mnem = sp < 0 ? spec : spec.slice(0, sp);
  let ops = sp < 0 ? [] : spec.slice(sp + 1).split(",");
  if (mnem.startsWith("/")) {
    const reg = (d.getModrm() >> 3) & 7;
    let g = GROUPS[mnem][reg];
    const colon = g.indexOf(":");
    if (colon >= 0) {
      const override = g.slice(colon + 1).split(",");
      g = g.slice(0, colon);
      const e = ops[0];
      ops = override.map((o) => (o === "E" ? e : o === "I" ? (e.endsWith("b") ? "Ib" : "Iz") : o));
    }
    mnem = g;
  }
  if (mnem.includes("|")) {
    const [w, l] = mnem.split("|");
    mnem = (op === 0xe3 ? d.as32 : d.os32) ? l : w;
  }
  if (mnem === "(bad)") return { length: Math.max(1, d.pos), text: "(bad)" };
  if (mnem === "(fpu)") {
    const m = d.getModrm();
    const t = m >= 0xc0 ? x87Register(op, m) : x87Memory(op, (m >> 3) & 7, d.memory(), d.os32);
    if (d.bad) return { length: Math.max(1, d.pos - 1), text: "(bad)" };
    const seg = d.seg >= 0 && !d.usedSeg ? SREG[d.seg] + " " : "";
    return { length: d.pos, text: t === null ? "(bad)" : seg + t };
  }
  const texts: string[] = [];
  for (const o of ops) texts.push(operand(d, o, mnem));
  if (d.bad) return { length: Math.max(1, d.pos - 1), text: "(bad)" };
  if ((op === 0x68 || op === 0x6a) && !d.os32) mnem = "pushw";
  if (op === 0x90 && !d.os32) return { length: d.pos, text: "xchg   ax,ax" };
  let prefix = d.lock ? "lock " : "";
  if (d.rep !== 0) {
    const strOp = ["movs", "stos", "lods", "ins", "outs"].includes(mnem);
    prefix += strOp ? "rep " : d.rep === 0xf3 ? "repz " : "repnz ";
  }
  if (d.seg >= 0 && !d.usedSeg) prefix += SREG[d.seg] + " ";
  const name = prefix + mnem;
  const text = texts.length === 0 ? name : name.padEnd(6) + " " + texts.join(",");
  return { length: d.pos, text };
}

function operand(d: Decoder, o: string, mnem: string): string {
  const size = d.os32 ? "d" : "w";
  switch (o) {
    case "Eb": case "Ew": case "Ev": case "Esv": case "Ep": case "Mb": case "Ma": case "Mp": case "Mq": case "M": case "Mn": {
      const m = d.getModrm();
      if (m >> 6 === 3) {
        if (o === "M" || o === "Ma" || o === "Mp" || o === "Mq" || o === "Mn" || o === "Mb" || o === "Ep") {
          d.bad = true;
          return "";
        }
        const r = m & 7;
        return o === "Eb" ? REG8[r] : o === "Ew" ? REG16[r] : d.os32 ? REG32[r] : REG16[r];
      }
      const mem = d.memory();
      if (o === "M" || o === "Mn") return mem;
      if (o === "Esv") return "WORD PTR " + mem;
      if (o === "Ep" || o === "Mp") return (d.os32 ? "FWORD PTR " : "DWORD PTR ") + mem;
      if (o === "Ma") return (d.os32 ? "QWORD PTR " : "DWORD PTR ") + mem;
      const s = o === "Eb" || o === "Mb" ? "b" : o === "Ew" ? "w" : o === "Mq" ? "q" : size;
      return SIZE_PTR[s] + mem;
    }
    case "Gb": return REG8[(d.getModrm() >> 3) & 7];
    case "Gw": return REG16[(d.getModrm() >> 3) & 7];
    case "Gv": return (d.os32 ? REG32 : REG16)[(d.getModrm() >> 3) & 7];
    case "Sw": {
      const r = (d.getModrm() >> 3) & 7;
      if (r > 5) d.bad = true;
      return SREG[r];
    }
    case "Rd": return REG32[d.getModrm() & 7];
    case "Cd": return "cr" + ((d.getModrm() >> 3) & 7);
    case "Dd": return "dr" + ((d.getModrm() >> 3) & 7);
    case "Ib": return hex(d.byte());
    case "Iw": return hex(d.word());
    case "Iz": case "Iv": return hex(d.os32 ? d.dword() : d.word());
    case "Ibs": {
      const v = (d.byte() << 24) >> 24;
      return hex(d.os32 ? v : v & 0xffff);
    }
    case "Jb": {
      const rel = (d.byte() << 24) >> 24;
      return target(d, rel);
    }
    case "Jz": {
      const rel = d.os32 ? d.dword() | 0 : (d.word() << 16) >> 16;
      return target(d, rel);
    }
    case "Ap": {
      const off = d.os32 ? d.dword() : d.word();
      const sel = d.word();
      return `${hex(sel)}:${hex(off)}`;
    }
    case "Ob": case "Ov": {
      const a = d.as32 ? d.dword() : d.word();
      return d.segPrefix("ds:") + hex(a);
    }
    case "Xb": case "Xv": return SIZE_PTR[o === "Xb" ? "b" : size] + d.segPrefix("ds:") + (d.as32 ? "[esi]" : "[si]");
    case "Yb": case "Yv": return SIZE_PTR[o === "Yb" ? "b" : size] + "es:" + (d.as32 ? "[edi]" : "[di]");
    case "Xlat": return "BYTE PTR " + d.segPrefix("ds:") + (d.as32 ? "[ebx]" : "[bx]");
    case "eAX": return d.os32 ? "eax" : "ax";
    case "1": case "al": case "cl": case "dx": return o;
    default:
      if (/^r[0-7]$/.test(o)) return (d.os32 ? REG32 : REG16)[+o[1]];
      if (/^R[0-7]$/.test(o)) return REG32[+o[1]];
      if (/^b[0-7]$/.test(o)) return REG8[+o[1]];
      if (/^(es|cs|ss|ds|fs|gs)$/.test(o)) return o;
      throw new Error(`disasm: unknown operand kind ${o} in ${mnem}`);
  }
}

function target(d: Decoder, rel: number): string {
  // the operand is always last: d.pos is the instruction length here
  const t = (d.eip + d.pos + rel) | 0;
  return hex(d.os32 ? t : t & 0xffff);
}
