// The cases of the x87 sequence differential suite (sequences.test.ts): every D8-DF group run as
// real instruction sequences, with edge operands, under several control words. Data layout of a
// case buffer: [0] control word for the wrapper, [0x10 + 16k] operand k (80-bit, or the memory
// format the instruction reads), [0x200..] what the body stores, [SAVE] the wrapper's FNSAVE.

import { type SeqCase, DATA } from "./seqrun.ts";

type V = [number, number, number]; // sign/exponent, significand high, low

export const VALUES: V[] = [
  [0, 0, 0], [0x8000, 0, 0], [0x3fff, 0x80000000, 0], [0xbfff, 0x80000000, 0],
  [0x3fff, 0xc0000000, 0], [0x4000, 0xc0000000, 0], [0xc000, 0xa0000000, 0],
  [0x3ffb, 0xcccccccc, 0xcccccccd], [0x4020, 0x9502f900, 0], [0x7ffe, 0xffffffff, 0xffffffff],
  [0x0001, 0x80000000, 0], [0x0000, 0x00000001, 0], [0x8000, 0x40000000, 0x12345678],
  [0x7fff, 0x80000000, 0], [0xffff, 0x80000000, 0], [0x7fff, 0xc0000000, 1], [0x7fff, 0x80000000, 1],
  [0xffff, 0xc0000000, 0], [0x4000, 0xc90fdaa2, 0x2168c235], [0x4045, 0x80000000, 0],
  [0x3fb9, 0x80000000, 0], [0x4000, 0x40000000, 0], [0x3ffe, 0xb504f333, 0xf9de6484],
  [0x401d, 0xffffffff, 0xfffffffe], [0x43fe, 0x80000000, 0x00000001], [0x3c00, 0x80000000, 0],
];

const CWS = [0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f];

function buf(cw: number): Uint8Array {
  const b = new Uint8Array(DATA);
  b[0] = cw & 0xff;
  b[1] = cw >> 8;
  return b;
}

function put80(b: Uint8Array, o: number, v: V): void {
  const d = new DataView(b.buffer);
  d.setUint32(o, v[2], true);
  d.setUint32(o + 4, v[1], true);
  d.setUint16(o + 8, v[0], true);
}

function op(k: number): number {
  return 0x10 + 16 * k;
}

/** Loads operands k = n-1 .. 0 so that ST(0) is operand 0. */
function loads(n: number): string {
  let s = "";
  for (let k = n - 1; k >= 0; k--) s += `fld tword [ebx+${op(k)}]\n`;
  return s;
}

/** A deterministic pseudo-random source for sampling pairs. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function make(name: string, cw: number, vals: V[], body: string, raw?: (b: Uint8Array) => void): SeqCase {
  const b = buf(cw);
  vals.forEach((v, k) => put80(b, op(k), v));
  raw?.(b);
  return { name, body, data: b };
}

export function allCases(): SeqCase[] {
  const out: SeqCase[] = [];
  const R = rng(0x9e3779b9);
  // Register arithmetic, every value pair, in the three register forms.
  const ar = ["fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"];
  for (const a of VALUES)
    for (const b of VALUES) {
      const cw = CWS[R() % CWS.length] & (R() % 8 === 0 ? ~0x3f : ~0);
      for (const m of ar) out.push(make(`${m} st0,st1`, cw, [a, b], `${loads(2)}${m} st0, st1`.replace(/(fcomp?) st0, st1/, "$1 st1")));
      const m2 = ["fadd", "fmul", "fsub", "fsubr", "fdiv", "fdivr"][R() % 6];
      out.push(make(`${m2} st1,st0`, cw, [a, b], `${loads(2)}${m2} st1, st0`));
      out.push(make(`${m2}p st1,st0`, cw, [a, b], `${loads(2)}${m2}p st1, st0`));
      const cm = ["fucom st1", "fucomp st1", "fucompp", "fcompp", "fcomi st0, st1", "fucomi st0, st1", "fcomip st0, st1", "fucomip st0, st1"][R() % 8];
      out.push(make(cm, cw, [a, b], `${loads(2)}xor eax, eax\n${cm}\nsetc [ebx+0x200]\nsetz [ebx+0x201]\nsetp [ebx+0x202]\nseto [ebx+0x203]\nsets [ebx+0x204]`));
    }
  // Memory operands: m32/m64 real, m16/m32 integer, every arithmetic op.
  const mems: [string, number, (b: Uint8Array, o: number) => void][] = [];
  const f32 = [0, 0x80000000, 0x3f800000, 0x00000001, 0x007fffff, 0x7f800000, 0x7fc00000, 0x7f800001, 0xff7fffff, 0x3eaaaaab, 0x4b000001];
  const f64: [number, number][] = [[0, 0], [0x3ff00000, 0], [0x00000000, 1], [0x7ff00000, 0], [0x7ff00000, 1], [0x7ff80000, 0], [0x3fb99999, 0x9999999a], [0xc3400000, 1]];
  const i16 = [0, 1, 0xffff, 0x7fff, 0x8000, 12345];
  const i32 = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 123456789];
  for (const x of f32) mems.push(["dword", 0, (b, o) => new DataView(b.buffer).setUint32(o, x, true)]);
  for (const [h, l] of f64) mems.push(["qword", 0, (b, o) => { const d = new DataView(b.buffer); d.setUint32(o, l, true); d.setUint32(o + 4, h, true); }]);
  for (const x of i16) mems.push(["word", 1, (b, o) => new DataView(b.buffer).setUint16(o, x, true)]);
  for (const x of i32) mems.push(["dword", 1, (b, o) => new DataView(b.buffer).setUint32(o, x, true)]);
  for (const [size, int, fill] of mems)
    for (const a of VALUES) {
      const cw = CWS[R() % CWS.length] & (R() % 6 === 0 ? ~0x3f : ~0);
      for (const m of ar) {
        const mn = int ? m.replace("f", "fi") : m;
        out.push(make(`${mn} ${size}`, cw, [a], `${loads(1)}${mn} ${size} [ebx+${op(1)}]`, (b) => fill(b, op(1))));
      }
    }
  // Loads of every memory format, then stored back as 80 bits.
  for (const [size, int, fill] of mems) {
    const mn = int ? "fild" : "fld";
    for (const cw of [0x037f, 0x0370 | 0x3])
      out.push(make(`${mn} ${size}`, cw, [], `${mn} ${size} [ebx+${op(1)}]\nfld st0\nfstp tword [ebx+0x200]`, (b) => fill(b, op(1))));
  }
  for (const v of VALUES) {
    out.push(make("fild qword", 0x037f, [], `fild qword [ebx+${op(1)}]\nfstp tword [ebx+0x200]`, (b) => put80(b, op(1), v)));
    out.push(make("fbld", 0x037f, [], `fbld [ebx+${op(1)}]\nfstp tword [ebx+0x200]`, (b) => { put80(b, op(1), v); b[op(1) + 9] &= 0x80; }));
  }
  // Stores of every format under every control word, with and without pop.
  const stores = ["fst dword", "fstp dword", "fst qword", "fstp qword", "fstp tword", "fist word", "fistp word", "fist dword", "fistp dword", "fistp qword", "fbstp"];
  for (const v of VALUES)
    for (const cw of CWS)
      for (const s of stores) {
        const m = cw === 0x037f || R() % 3 === 0 ? cw : cw & ~0x3f;
        out.push(make(s, m, [v], `${loads(1)}${s} [ebx+0x200]`.replace("fbstp [", "fbstp tword [")));
      }
  // Unary register operations.
  const un = ["fchs", "fabs", "ftst", "fxam", "fsqrt", "frndint", "fxtract", "f2xm1", "fsin", "fcos", "fsincos", "fptan", "fld st0", "fxch st1", "fst st1", "fstp st1", "ffree st0", "fincstp", "fdecstp"];
  // F2XM1 and FYL2XP1 outside their domains (|x| <= 1, |x| < 1 - sqrt(2)/2) are undefined (SDM Vol. 2).
  const inDomain = (u: string, v: V): boolean => {
    const e = v[0] & 0x7fff;
    if (u === "f2xm1") return e < 0x3fff || (e === 0x3fff && v[1] === 0x80000000 && v[2] === 0) || e === 0x7fff;
    return true;
  };
  for (const v of VALUES)
    for (const u of un)
      for (const cw of [CWS[R() % CWS.length], 0x0360]) if (inDomain(u, v)) out.push(make(u, cw, [v, VALUES[2]], `${loads(2)}${u}`));
  // Two-operand ST(0)/ST(1) operations.
  const bin = ["fscale", "fprem", "fprem1", "fyl2x", "fyl2xp1", "fpatan"];
  for (const a of VALUES)
    for (const u of bin)
      for (let k = 0; k < 4; k++) {
        const b = VALUES[R() % VALUES.length];
        if (u === "fyl2xp1" && (a[0] & 0x7fff) >= 0x3ffd && (a[0] & 0x7fff) !== 0x7fff) continue;
        out.push(make(u, CWS[R() % CWS.length], [a, b], `${loads(2)}${u}`));
      }
  // Constants under each rounding control and precision control.
  for (const cw of [...CWS, 0x0f40])
    for (const k of ["fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz"]) out.push(make(k, cw, [], k));
  // FXAM on an empty register, and on each class after a FFREE.
  out.push(make("fxam empty", 0x037f, [], "fxam\nfnstsw ax\nmov [ebx+0x200], eax"));
  out.push(make("fxam freed", 0x037f, [VALUES[3]], `${loads(1)}ffree st0\nfxam`));
  // Stack overflow and underflow, masked and unmasked, and #MF at the next waiting instruction.
  for (const cw of [0x037f, 0x037e]) {
    out.push(make("overflow", cw, [VALUES[2]], `${"fld tword [ebx+0x10]\n".repeat(9)}fnstsw ax\nmov [ebx+0x200], eax`));
    out.push(make("overflow fldpi", cw, [VALUES[2]], `${"fld tword [ebx+0x10]\n".repeat(8)}fldpi\nfnstsw ax\nmov [ebx+0x200], eax`));
    out.push(make("overflow fsincos", cw, [VALUES[2]], `${"fld tword [ebx+0x10]\n".repeat(8)}fsincos\nfnstsw ax\nmov [ebx+0x200], eax`));
    out.push(make("underflow fadd", cw, [], "fadd st0, st1\nfnstsw ax\nmov [ebx+0x200], eax"));
    out.push(make("underflow faddp", cw, [VALUES[2]], `${loads(1)}faddp st1, st0`));
    out.push(make("underflow fstp m32", cw, [], "fstp dword [ebx+0x200]"));
    out.push(make("underflow fistp", cw, [], "fistp dword [ebx+0x200]"));
    out.push(make("underflow fbstp", cw, [], "fbstp tword [ebx+0x200]"));
    out.push(make("underflow fcompp", cw, [VALUES[2]], `${loads(1)}fcompp`));
    out.push(make("underflow fxch", cw, [VALUES[2]], `${loads(1)}fxch st3`));
    out.push(make("underflow fyl2x", cw, [VALUES[2]], `${loads(1)}fyl2x`));
    out.push(make("underflow fcomi", cw, [VALUES[2]], `${loads(1)}fcomi st0, st2\nsetc [ebx+0x200]\nsetz [ebx+0x201]\nsetp [ebx+0x202]`));
    out.push(make("underflow fld st5", cw, [VALUES[2]], `${loads(1)}fld st5`));
    out.push(make("underflow fchs", cw, [], "fchs"));
  }
  for (const cw of [0x037b, 0x037e, 0x0377, 0x0373]) {
    out.push(make("#MF fadd", cw, [VALUES[2], VALUES[0]], `${loads(2)}fdiv st0, st1\nfnstsw ax\nmov [ebx+0x200], eax\nfadd st0, st0\nmov dword [ebx+0x204], 1`));
    out.push(make("#MF fwait", cw, [VALUES[2], VALUES[0]], `${loads(2)}fdiv st0, st1\nfnop\nfwait\nmov dword [ebx+0x204], 1`));
    out.push(make("#MF fnstenv", cw, [VALUES[2], VALUES[0]], `${loads(2)}fdiv st0, st1\nfnstenv [ebx+0x300]\nfnclex\nfwait\nmov dword [ebx+0x204], 1`));
    out.push(make("#MF fldcw", cw | 0x3f, [VALUES[2], VALUES[0]], `${loads(2)}fdiv st0, st1\nfldcw [ebx+0x1f0]\nfnop\nmov dword [ebx+0x204], 1`, (b) => { b[0x1f0] = cw & 0xff; b[0x1f1] = cw >> 8; }));
    out.push(make("#MF fstp", cw, [], `fld tword [ebx+0x10]\n${"fld1\n".repeat(8)}fst dword [ebx+0x200]`, (b) => put80(b, 0x10, VALUES[1])));
  }
  // FCMOVcc with each flag state.
  const fc = ["fcmovb", "fcmove", "fcmovbe", "fcmovu", "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"];
  for (const f of fc)
    for (const [x, y] of [[1, 2], [2, 1], [1, 1]]) {
      out.push(make(f, 0x037f, [VALUES[2], VALUES[4]], `${loads(2)}mov eax, ${x}\ncmp eax, ${y}\n${f} st0, st1`));
    }
  out.push(make("fcmovu", 0x037f, [VALUES[2], VALUES[4]], `${loads(2)}fldz\nfldz\nfdiv st0, st0\nfcomip st0, st1\nfstp st0\n${"fcmovu st0, st1"}`));
  // The register aliases the P6 decodes (objdump prints most as "(bad)"): DC D0+i FCOM, DC D8+i
  // FCOMP, DD C8+i and DF C8+i FXCH, DE D0+i FCOMP, D9 D8+i and DF D0+i / D8+i FSTP, DF C0+i FFREEP.
  for (const bytes of ["0xdc, 0xd2", "0xdc, 0xda", "0xdd, 0xca", "0xdf, 0xca", "0xde, 0xd2", "0xd9, 0xda", "0xdf, 0xd2", "0xdf, 0xda", "0xdf, 0xc1", "0xdf, 0xc0"])
    for (const cw of [0x037f, 0x0360])
      out.push(make(`alias ${bytes}`, cw, [VALUES[2], VALUES[15], VALUES[6]], `${loads(3)}db ${bytes}\nfnstsw ax\nmov [ebx+0x200], eax`));
  // A short computation: a polynomial, a square root and conversions, under each rounding mode.
  for (const cw of CWS)
    out.push(make("poly", cw, [VALUES[7], VALUES[18], VALUES[22]], `${loads(3)}fld st0\nfmul st0, st1\nfadd st0, st2\nfmulp st1, st0\nfsqrt\nfxch st2\nfdivr st0, st2\nfist dword [ebx+0x200]\nfstp qword [ebx+0x208]\nfbstp tword [ebx+0x210]\nfld1\nfchs\nfscale\nfstp dword [ebx+0x220]`));
  // Environment and state: FNSTENV/FLDENV, FNSAVE/FRSTOR round trips, FLDCW/FNSTCW, FNSTSW, FNCLEX.
  out.push(make("fnstenv", 0x0b7e, [VALUES[2], VALUES[0]], `${loads(2)}fdiv st0, st1\nfnstenv [ebx+0x300]\nfnstcw [ebx+0x200]\nfnstsw [ebx+0x202]`));
  out.push(make("fldenv", 0x037f, [VALUES[2], VALUES[5]], `${loads(2)}fnstenv [ebx+0x300]\nfninit\nfldenv [ebx+0x300]\nfaddp st1, st0`));
  out.push(make("frstor", 0x037f, [VALUES[2], VALUES[5], VALUES[13]], `${loads(3)}fnsave [ebx+0x500]\nfldpi\nfrstor [ebx+0x500]\nfmulp st1, st0`));
  out.push(make("frstor tags", 0x037f, [VALUES[0], VALUES[11], VALUES[15]], `${loads(3)}fnsave [ebx+0x500]\nmov word [ebx+0x508], 0xffcf\nfrstor [ebx+0x500]`));
  // The 16-bit protected-mode layouts (operand-size prefix), stored at 0x600.
  out.push(make("fnstenv16", 0x0b7e, [VALUES[2], VALUES[0]], `${loads(2)}fdiv st0, st1\no16 fnstenv [ebx+0x600]`));
  out.push(make("fnsave16", 0x037f, [VALUES[18], VALUES[11], VALUES[15]], `${loads(3)}o16 fnsave [ebx+0x600]\no16 frstor [ebx+0x600]\nfaddp st1, st0`));
  out.push(make("fldenv16", 0x037f, [VALUES[2]], `${loads(1)}mov dword [ebx+0x600], 0x0000077f\nmov dword [ebx+0x604], 0xfcff1234\nmov dword [ebx+0x608], 0\nmov dword [ebx+0x60c], 0\no16 fldenv [ebx+0x600]`));
  out.push(make("fldcw reserved", 0x037f, [], "fldcw [ebx+0x1f0]\nfnstcw [ebx+0x200]\nfldcw [ebx+0x1f2]\nfnstcw [ebx+0x202]", (b) => { b[0x1f0] = 0; b[0x1f1] = 0; b[0x1f2] = 0xff; b[0x1f3] = 0xff; }));
  out.push(make("fnclex", 0x0370, [VALUES[2], VALUES[0]], `${loads(2)}fdiv st0, st1\nfnstsw ax\nmov [ebx+0x200], eax\nfnclex\nfnstsw ax\nmov [ebx+0x204], eax`));
  out.push(make("fninit", 0x0000, [VALUES[2]], `${loads(1)}fninit\nfnstsw ax\nmov [ebx+0x200], eax\nfnstcw [ebx+0x204]`));
  return out;
}
