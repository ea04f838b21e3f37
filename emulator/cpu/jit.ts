// The block compiler. Hot entry points of cached code (counted per physical address as
// dispatch.ts reaches them: runRegion) are compiled into JavaScript functions made with
// `new Function` from the fast forms' templates (forms.ts), with every decoded field a
// constant; entries whose region has no loop wait a few thresholds more.
//
// A compiled region starts where the interpreter's outer loop starts (after a transfer,
// a window change or an uncached instruction) and holds the instructions of the same
// page reachable from there through direct branches, calls and returns to the
// instruction after a call, up to the first instruction on each path that has no fast
// form (but those it runs in place through the byte interpreter: inplace.ts), has not
// run yet (insnAt) or is held by another region, and at most MAX_REGION instructions.
// They are laid out in address order in one `switch (pc)` inside a loop, whose cases are
// the region's entry, the return sites and the targets of backward branches, and which
// starts at the case it is entered at. The region is held at each of its cases, so a
// path that reaches one from elsewhere (another region's, one the interpreter runs)
// enters it there rather than compiling the code again from there (without that, a loop
// or a join that several hot entries reach was compiled into the region of each: most of
// the instructions of gzip's regions were compiled more than once). A forward branch
// breaks out of a labelled block that ends at its target (through the switch only where
// a case lies between), so an if/else costs what it costs in JavaScript; a region whose
// only case is its entry and that has no backward branch is a plain block, without loop
// or switch, a smaller graph for V8 to optimize. A transfer to a case of the region
// continues there without leaving, as a return to a call site does; any other transfer
// leaves, and runRegion enters the region held at the new address directly, on this page
// or (moving the code window) another. The one call that does not leave is that of a PC
// thunk on another page (pcThunkAt: `mov ebx, [esp]; ret`, which position-independent
// i386 code calls at the start of most functions): the region does what its two
// instructions do and goes on at the return site.
//
// Inside a region the guest registers, the lazy-flag record and the cycle counter are
// int32 JavaScript locals, so V8 keeps them in host registers. A condition read just
// after an instruction that set the record to a known operation (a CMP, a TEST, an ADD,
// ...) on a straight line is tested on its operands directly (condExpr: `jb` after `cmp`
// is an unsigned comparison). The locals are stored back when the region leaves, when
// it faults (its catch; a region whose calls cannot fault has none, as a catch makes
// V8 keep the locals boxed in memory), and around each helper call that reads or writes
// them (SYNC below); a helper that only may fault costs one store and one load of the
// cycle counter. Comparisons of constants (segment attributes, operand sizes, operation
// numbers) are folded in the source, so V8 never builds the arms a region cannot take.
// Each instruction's translation is kept (translate), as the same instructions recur in
// many regions.
//
// Exactness (the same guest state, cycles and instruction boundaries as the interpreter):
//   - each instruction charges its base cycles first and its extras in its template
//     (straight-line instructions that cannot leave have theirs added up and made at the
//     next one that can);
//   - on entry (by the dispatcher) and before each backward or computed transfer, the
//     cycle counter plus the most the code from there can charge until the next such
//     check (base cycles and an upper bound of the extras, from the template text, on
//     its longest forward path) is compared with the limit; when the limit could be
//     reached the region leaves, and the interpreter, which checks after every
//     instruction, runs on from there;
//   - after a form that writes memory through a helper, and after an instruction run in
//     place, the region leaves when the write dropped the current page's records
//     (cpu.winLen = 0: self-modifying code, seen at the next instruction); an instruction
//     run in place charges what the interpreter charges, so a cycle check follows it;
//   - a fault leaves through CPU_FAULT; the catch stores the registers and flags as the
//     faulting instruction left them (as the interpreter's c.regs hold them when the
//     same access faults there) and its restart point (instrEip/instrEsp, kept in locals
//     by $SAVE), and adds the instructions completed in the region to cpu.retired;
//   - EIPs, segment bases, limits and attributes and the stack and operand sizes are
//     constants of the region; it checks those it uses on entry and declines to run
//     (returns -1: counted and compiled again later) when the page is entered at another
//     linear address or one changed. Regions are keyed by physical address and dropped
//     with the page's records (icache.ts tableFor / invalidateCodePage), and the cold
//     ones when their source passes JIT_CACHE_BYTES (icache.ts evictRegions).
//   - cold exits only assign locals: V8 deoptimizes a whole function the first time it
//     runs code that has no type feedback, which would cost more than the region saves;
//   - a PC thunk runs in the region only while the TLB maps its page readable (so its
//     fetch would hit the TLB and charge no walk), its four bytes are those compiled for
//     and the code window is valid (a TLB flush empties it); otherwise the region leaves
//     at the thunk after the call.

import type { CPU } from "./cpu.ts";
import { setWindow, segR, segW, rd8, rd32, wr8, wr32, rdW8, rdW32, readM8, readM16, readM32, writeM8, writeM16, writeM32, push32, peek32, addSp } from "./access.ts";
import { alu, sub32, shift, shiftDouble, imulTrunc, multiply, divide } from "./alu.ts";
import { condOf, cfOf } from "./flags.ts";
import { R8, jumpNear } from "./operands.ts";
import { decodeAt } from "./decode.ts";
import { execOne } from "./exec.ts";
import { inPlaceLength } from "./inplace.ts";
import { WALK_CYCLES } from "./mmu.ts";
import { CYC, MEM_READ, MEM_RMW, BRANCH_TAKEN } from "./timing.ts";
import { H, O } from "./records.ts";
import { FORMS, expandForm, missExits } from "./forms.ts";
import { evictRegions, holdRegion, regionTable, dropRegion, NOT_COMPILABLE } from "./icache.ts";

/**
 * Runs the region entered at cpu.eip (the current window holds it) with cycle limit
 * cpu.cycLimit until it leaves; returns the instructions it retired and sets cpu.eip. On a
 * fault, adds them to cpu.retired and rethrows. Returns -1, having run nothing, when a
 * segment register it uses no longer holds what it held at compile time (the region
 * inlines their bases, limits and attributes), and -2 when it left before its first
 * instruction completed (the interpreter runs it). The caller enters it only when the
 * cycles the region can charge before its first check (icache.ts RegionTable.most) stay
 * below the limit.
 */
export type Region = (c: CPU) => number;

/**
 * Compiled source (bytes) after which cold regions are dropped (icache.ts evictRegions):
 * V8 keeps each region's source, bytecode and machine code, so this bounds the host
 * memory the compiler holds whatever the guest runs.
 */
const JIT_CACHE_BYTES = 8 << 20;
/** Instructions a region holds at most. */
const MAX_REGION = 64;
/** Thresholds of entries (CPU.jitThreshold) a region without a loop waits beyond the first. */
const SHORT_DEFERRALS = 3;
/** Thresholds of entries any region waits beyond the first while its CPU warms up (CPU.jitWarmup). */
const WARM_DEFERRALS = 15;

/** What the templates may call, passed to every compiled function. */
const HELPERS = {
  segR, segW, rd8, rd32, wr8, wr32, rdW8, rdW32, readM8, readM16, readM32, writeM8, writeM16, writeM32, push32, peek32, addSp,
  alu, sub32, shift, shiftDouble, imulTrunc, multiply, divide, condOf, cfOf, R8, jumpNear, execOne,
  MEM_READ, MEM_RMW, BRANCH_TAKEN,
};
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

// The locals: r$0..r$7, f$Op..f$Cin, cyc$.
const FLAG_FIELDS = ["Op", "Res", "A", "B", "Sign", "Cin"] as const;
// (as int32: a record's fields are integers whose every use converts them so, and V8 then
// keeps the locals untagged)
const flagsIn = FLAG_FIELDS.map((f) => `f$${f} = c.lf${f} | 0`);
// Stores are written as tokens and filled in once the region is known: @FOUT@ stores
// the flags (when the region writes any).
const FOUT = ["@FOUT@"];

/**
 * What to store before and reload after each helper call of a template. A helper that
 * may fault needs only the cycle counter (a TLB miss charges the walk): on a fault the
 * region's catch stores the registers and flags as they are at that point, which is
 * what the interpreter leaves in c.regs and c.lf* when the same access faults there,
 * and the restart point ($SAVE's locals).
 */
const SYNC: Record<string, readonly [readonly string[], readonly string[]]> = {};
for (const name of ["segR", "segW", "rd8", "rd32", "rdW8", "rdW32", "wr8", "wr32", "readM8", "readM16", "readM32", "writeM8", "writeM16", "writeM32", "jumpNear", "c.fault"]) {
  SYNC[name] = [["c.cyc = cyc$"], ["cyc$ = c.cyc | 0"]];
}
SYNC.peek32 = [["c.cyc = cyc$", "r[4] = r$4"], ["cyc$ = c.cyc | 0"]];
SYNC.push32 = [["c.cyc = cyc$", "r[4] = r$4"], ["cyc$ = c.cyc | 0", "r$4 = r[4]"]];
SYNC.addSp = [["r[4] = r$4"], ["r$4 = r[4]"]];
for (const name of ["alu", "sub32", "shift", "shiftDouble", "imulTrunc"]) SYNC[name] = [FOUT, flagsIn];
// EDX:EAX and the flags, and (DIV may fault) the cycle counter
for (const name of ["multiply", "divide"]) {
  SYNC[name] = [["c.cyc = cyc$", "r[0] = r$0", "r[2] = r$2", ...FOUT], ["cyc$ = c.cyc | 0", "r$0 = r[0]", "r$2 = r[2]", ...flagsIn]];
}
const CALL = new RegExp(`(?<![\\w.$])(${Object.keys(SYNC).map((n) => n.replace(".", "\\.")).join("|")})\\(`);

/** `src` with each helper call wrapped as (store; t$ = call; reload; t$). */
function wrapCalls(src: string): string {
  const m = CALL.exec(src);
  if (m === null) return src;
  const open = m.index + m[0].length - 1;
  let depth = 0;
  let close = open;
  for (; close < src.length; close++) {
    if (src[close] === "(") depth++;
    else if (src[close] === ")" && --depth === 0) break;
  }
  const [out, inn] = SYNC[m[1]];
  const call = `${m[1]}(${wrapCalls(src.slice(open + 1, close))})`;
  return `${src.slice(0, m.index)}(${out.join(", ")}, t$ = ${call}, ${inn.join(", ")}, t$)${wrapCalls(src.slice(close + 1))}`;
}

/** The byte register at reg8 index b (R8 order) as an expression on the locals. */
const byteReg = (b: number): string => `((r$${b >> 2} >> ${(b & 3) * 8}) & 0xff)`;

/**
 * The expanded template `code` of one instruction rewritten onto the locals: registers,
 * flags, cycles, byte/word register views, conditions and helper calls.
 */
function onLocals(code: string, c: CPU, guards: Set<string>): string {
  let s = code;
  s = s.replace(/c\.reg8\[(?:R8\[(\d)\]|(\d+))\] = ([^;]+);/g, (_m, i, b, v) => {
    const k = i !== undefined ? R8[Number(i)] : Number(b);
    const sh = (k & 3) * 8;
    return `r$${k >> 2} = (r$${k >> 2} & ${~(0xff << sh)}) | ((${v}) & 0xff) << ${sh};`;
  });
  s = s.replace(/c\.reg8\[(?:R8\[(\d)\]|(\d+))\]/g, (_m, i, b) => byteReg(i !== undefined ? R8[Number(i)] : Number(b)));
  s = s.replace(/c\.reg16\[(\d+)(?: << 1)?\] = ([^;]+);/g, (m, w, v) => {
    const k = m.includes("<< 1") ? Number(w) * 2 : Number(w);
    if ((k & 1) !== 0) throw new Error("jit: odd reg16 index");
    return `r$${k >> 1} = (r$${k >> 1} & -65536) | ((${v}) & 0xffff);`;
  });
  s = s.replace(/c\.reg16\[(\d+)( << 1)?\]/g, (_m, w, x) => {
    const k = x !== undefined ? Number(w) * 2 : Number(w);
    if ((k & 1) !== 0) throw new Error("jit: odd reg16 index");
    return `(r$${k >> 1} & 0xffff)`;
  });
  s = s.replace(/(?<![\w.$])r\[(\d)\]/g, "r$$$1");
  s = s.replace(/c\.(tlb|ram32|ram|rmask|wmask)\b/g, "$1$$");
  s = s.replace(/c\.(stack32|os32)\b/g, (m, f: "stack32" | "os32") => {
    guards.add(`${m} !== ${c[f]}`);
    return `${c[f]}`;
  });
  // ES CS SS DS are constants (the same in every process of a flat-model system); FS and
  // GS are read where used, as each thread's TLS gives them another base
  s = s.replace(/c\.seg(Attr|Limit|Base)\[([0-3])\]/g, (_m, f, i) => {
    const v = c[`seg${f}` as "segAttr"][Number(i)];
    guards.add(`c.seg${f}[${i}] !== ${v}`);
    return `${v}`;
  });
  s = s.replace(/c\.lf(Op|Res|A|B|Sign|Cin)\b/g, "f$$$1");
  s = s.replace(/c\.cyc\b/g, "cyc$$");
  s = s.replace(/cond\(c, (\d+)\)/g, "condOf($1, f$$Op, f$$Res, f$$A, f$$B, f$$Sign, f$$Cin, c.flags)");
  s = s.replace(/getCF\(c\)/g, "cfOf(f$$Op, f$$Res, f$$A, f$$B, f$$Cin, c.flags)");
  if (/c\.reg|(?<![\w.$])r\[|c\.lf|cond\(|getCF\(/.test(s)) throw new Error(`jit: template state not on locals: ${s}`);
  return s;
}

const LIT = String.raw`-?(?:0x[0-9a-f]+|\d+)`;
const AND_LIT = new RegExp(String.raw`\((${LIT}) & (${LIT})\)`, "g");
const CMP_LIT = new RegExp(String.raw`(?<=\(|&& |\|\| |\? |: |= |, )(${LIT}) (===|!==) (${LIT})(?=\)| &&| \|\|| \?|;|,)`, "g");
const num = (t: string): number => (t.startsWith("-") ? -Number(t.slice(1)) : Number(t));
// a limit check of a constant limit: (ea_ >>> 0) + 3 <= -1 >>> 0
const LIMIT_LIT = new RegExp(String.raw`\(([\w$]+) >>> 0\)(?: \+ (\d+))? <= (${LIT}) >>> 0|(?<=\(|&& )([\w$]+) >>> 0 <= (${LIT}) >>> 0`, "g");
// a transfer's check against a constant CS limit: j_ >>> 0 > -1 >>> 0
const OVER_LIT = new RegExp(String.raw`(?<=\()([\w$]+) >>> 0 > (${LIT}) >>> 0(?=\))`, "g");

/**
 * `src` with comparisons of constants (segment attributes, operation numbers) folded to
 * `true`/`false`, so V8's bytecode generator, which skips the dead arm of a literal
 * condition, never builds the code a region cannot run.
 */
function foldConstants(src: string): string {
  for (let prev = ""; prev !== src;) {
    prev = src;
    src = src.replace(AND_LIT, (_m, a, b) => `${num(a) & num(b)}`);
    src = src.replace(CMP_LIT, (_m, a, op, b) => `${(num(a) === num(b)) === (op === "===")}`);
    src = src.replace(LIMIT_LIT, (_m, x, add, lim, y, lim2) => {
      const most = x !== undefined ? (num(lim) >>> 0) - Number(add ?? 0) : num(lim2) >>> 0;
      return most >= 0xffffffff ? "true" : most < 0 ? "false" : `(${x ?? y} >>> 0) <= ${most}`;
    });
    src = src.replace(OVER_LIT, (_m, x, lim) => ((num(lim) >>> 0) === 0xffffffff ? "false" : `(${x} >>> 0) > ${num(lim) >>> 0}`));
    src = src.replace(/\((?:true && )+/g, "(");
    src = src.replace(/\((?:false \|\| )+/g, "(").replace(/(?: \|\| false)+\)/g, ")");
  }
  return src;
}

/** An aligned dword access (forms.ts load32, store32) through a segment of base 0 and limit 4 GiB - 1, after foldConstants. */
const FLAT_DWORD = /const lin_ = \(0 \+ ea_\) \| 0;((?:\n\s*const (?:v_|e_|m_) = [^\n]*)*)\n(\s*)if \(\(ea_ >>> 0\) <= 4294967292 && \(lin_ & 3\) === 0 && /g;

/**
 * `src` (after foldConstants) with its accesses through a segment of base 0 on the
 * offset itself, the linear address, and an aligned dword's limit test dropped where
 * the limit is 4 GiB - 1: an aligned offset is at most 0xfffffffc.
 */
function flatAccesses(src: string): string {
  return src.replace(FLAT_DWORD, "const lin_ = ea_;$1\n$2if ((lin_ & 3) === 0 && ").replaceAll("const lin_ = (0 + ea_) | 0;", "const lin_ = ea_;");
}

/** The index of the bracket closing the one at `open` (templates' brackets balance). */
function closing(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const ch = src[i];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if ((ch === ")" || ch === "]" || ch === "}") && --depth === 0) return i;
  }
  throw new Error(`jit: unbalanced template: ${src.slice(open, open + 200)}`);
}

const skipSpace = (src: string, i: number): number => {
  while (src[i] === " " || src[i] === "\n") i++;
  return i;
};
const elseAt = (src: string, i: number): boolean => src.startsWith("else", i) && !/[\w$]/.test(src[i + 4]);

/** The end of the statement of `src` starting at `i`: a block, an if/else, or up to its `;`. */
function statementEnd(src: string, i: number): number {
  i = skipSpace(src, i);
  if (src[i] === "{") return closing(src, i) + 1;
  if (src.startsWith("if (", i)) {
    const j = statementEnd(src, closing(src, i + 3) + 1);
    const k = skipSpace(src, j);
    return elseAt(src, k) ? statementEnd(src, k + 4) : j;
  }
  for (let depth = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (ch === ";" && depth === 0) return i + 1;
  }
  throw new Error(`jit: unterminated statement: ${src.slice(0, 200)}`);
}

const LITERAL_IF = /\bif \((!?)(true|false)\) /;

/** `src` with each `if` on a literal replaced by the arm it takes (templates' size and mode tests). */
function pruneLiteralIfs(src: string): string {
  for (let m = LITERAL_IF.exec(src); m !== null; m = LITERAL_IF.exec(src)) {
    const taken = (m[2] === "true") !== (m[1] === "!");
    const thenStart = m.index + m[0].length;
    const thenEnd = statementEnd(src, thenStart);
    const k = skipSpace(src, thenEnd);
    const end = elseAt(src, k) ? statementEnd(src, k + 4) : thenEnd;
    const elseArm = elseAt(src, k) ? src.slice(k + 4, end) : "";
    src = src.slice(0, m.index) + (taken ? src.slice(thenStart, thenEnd) : elseArm) + src.slice(end);
  }
  return src;
}

/** What, before an access on locals, makes leaving at its miss inexact: a guest-state write or a call (c.fault only faults). */
const EFFECT = /(?<![\w.$])(?:r\$\d|f\$\w+|cyc\$|(?:ram32|ram)\$\[[^\]]*\]|c\.(?!eip\b)[\w$]+(?:\[[^\]]*\])?) (?:[-+|&^]|<<|>>>?)?=(?!=)|(?<![\w.$])(?!if\b|c\.fault\b)[A-Za-z_][\w.$]*\(/;

/** Memory accesses of a template that can take the slow path (each may walk twice). */
const SLOW_ACCESS = /(?<![\w.$])(rd8|rd32|rdW8|rdW32|wr8|wr32|readM8|readM16|readM32|writeM8|writeM16|writeM32|push32|peek32)\(/g;
/** A template that writes memory through a helper (which drops code pages written). */
const WRITES = /(?<![\w.$])(wr8|wr32|writeM8|writeM16|writeM32|push32)\(/;

/** An upper bound of the cycles an expanded template charges beyond its base cost. */
function extraCycles(text: string): number {
  const count = (re: RegExp): number => text.match(re)?.length ?? 0;
  const literal = [...text.matchAll(/c\.cyc \+= (\d+);/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return count(/MEM_READ/g) * MEM_READ + count(/MEM_RMW/g) * MEM_RMW + count(/BRANCH_TAKEN/g) * BRANCH_TAKEN +
    (/c\.cyc \+= cnt/.test(text) ? 31 : 0) + literal + count(SLOW_ACCESS) * 2 * WALK_CYCLES;
}

/**
 * Register forms that set the whole lazy-flag record (op, result, operands, sign) and
 * nothing else can observe the flags before: an immediate shift or rotate just before
 * one of them (on the same path, not a label) has flags nobody can read, so the
 * region computes its value alone. (The interpreter's shift also folds the previous
 * flags into cpu.flags; with a record that is not Lf.None or Lf.Szp those bits are
 * never read, and the next materialize overwrites them.)
 */
const SETS_ALL_FLAGS = new Set<number>([
  H.AddRR, H.OrRR, H.AndRR, H.SubRR, H.XorRR, H.CmpRR, H.AddRI, H.OrRI, H.AndRI, H.SubRI, H.XorRI, H.CmpRI,
  H.TestRR, H.TestRI,
]);

/** Register forms that neither read nor write the flags and cannot leave a region. */
const FLAG_NEUTRAL = new Set<number>([H.MovRR, H.MovRI, H.Lea, H.MovxR, H.MovRR8, H.MovR8I, H.MovRR16, H.NotR, H.Nop, H.Cdq]);

/**
 * Whether the flags instruction `j` of `order` sets are dead: the instructions after it,
 * in a straight line with no label, are flag-neutral (FLAG_NEUTRAL, or immediate
 * shifts and rotates other than RCL/RCR, themselves dead then) up to one that sets the
 * whole record (SETS_ALL_FLAGS).
 */
function flagsDeadAfter(order: readonly Insn[], j: number, labels: ReadonlySet<number>, rec: Int32Array): boolean {
  for (let i = j + 1; i < order.length; i++) {
    const prev = order[i - 1];
    if (order[i].d !== prev.d + ((prev.w0 >> 8) & 15) || labels.has(order[i].d)) return false;
    const h = order[i].w0 & 0xff;
    if (SETS_ALL_FLAGS.has(h)) return true;
    const w1 = rec[order[i].k + 1];
    const shiftImm = h === H.ShiftR && (w1 & O.Flag) === 0 && ((w1 >> O.Op) & 6) !== 2;
    if (!FLAG_NEUTRAL.has(h) && !shiftImm) return false;
  }
  return false;
}

/**
 * The value of 32-bit shift/rotate `op` (alu.ts shift's numbering) of `v` by `n` (0..31:
 * a number, or an expression for a count in CL) as an expression, or null for a literal
 * count of 0 and for RCL/RCR, which read CF. (A count of 0 in CL gives `v` back: JavaScript
 * shifts by a count mod 32, as the rotates' second shift needs.)
 */
function shiftValue(op: number, n: number | string, v: string): string | null {
  if (n === 0) return null;
  const rest = typeof n === "number" ? `${32 - n}` : `(32 - ${n})`;
  switch (op) {
    case 0: return `((${v} << ${n}) | (${v} >>> ${rest}))`;
    case 1: return `((${v} >>> ${n}) | (${v} << ${rest}))`;
    case 4: case 6: return `(${v} << ${n})`;
    case 5: return `((${v} >>> ${n}) | 0)`;
    case 7: return `(${v} >> ${n})`;
    default: return null;
  }
}

/**
 * Handlers whose template sets the whole lazy-flag record to a literal operation and
 * sign (flags.ts Lf): after one of them, on a straight line, the region knows how the
 * flags were made and tests a condition on the operands directly (condExpr).
 */
const SETS_KNOWN_FLAGS = new Set<number>([
  ...SETS_ALL_FLAGS, H.TestRR8, H.TestRI8, H.TestMR, H.TestMR8, H.TestMI8, H.TestMI, H.NegR, H.Inc, H.Dec, H.AluMR, H.AluRM, H.AluMI,
  H.Alu8RR, H.Alu8RI, H.Alu8MR, H.Alu8RM, H.Alu8MI, H.IncDecM, H.CmpMR, H.CmpMI, H.Cmp8MR, H.Cmp8MI, H.CmpRM,
]);

/** What the region knows of the flag record at a point: its operation and sign bit. */
interface KnownFlags { readonly op: number; readonly sign: number }

/**
 * Condition `cc` (flags.ts condOf's numbering) of a record of known operation `op` and
 * sign bit `sign`, as a boolean expression on the flag locals, or null where condOf stays
 * (parity, and operations without a rule here). Each rule is condOf's for that operation
 * and sign bit (a byte record's SF and OF test bit 7).
 */
function condExpr(cc: number, { op, sign }: KnownFlags): string | null {
  const dword = sign === -2147483648;
  const zf = "f$Res === 0";
  const sf = dword ? "f$Res < 0" : `(f$Res & ${sign}) !== 0`;
  const signOf = (e: string): string => (dword ? `(${e}) < 0` : `(${e} & ${sign}) !== 0`);
  let of: string, cf: string;
  if (op === 5) {
    of = "false";
    cf = "false";
  } else if (op === 3) {
    // (the signed and below-or-equal tests of a dword record compare the operands themselves)
    if (dword && cc >> 1 === 3) return flip(cc, "(f$A >>> 0) <= (f$B >>> 0)");
    if (dword && cc >> 1 === 6) return flip(cc, "(f$A | 0) < (f$B | 0)");
    if (dword && cc >> 1 === 7) return flip(cc, "(f$A | 0) <= (f$B | 0)");
    of = signOf("(f$A ^ f$B) & (f$A ^ f$Res)");
    cf = "(f$A >>> 0) < (f$B >>> 0)";
  } else if (op === 1) {
    of = signOf("(f$A ^ f$Res) & (f$B ^ f$Res)");
    cf = "(f$Res >>> 0) < (f$A >>> 0)";
  } else if (dword && (op === 6 || op === 7)) {
    of = `f$Res === ${op === 6 ? -2147483648 : 2147483647}`;
    cf = "f$Cin !== 0";
  } else {
    return null;
  }
  switch (cc >> 1) {
    case 0: return flip(cc, of);
    case 1: return flip(cc, cf);
    case 2: return flip(cc, zf);
    case 3: return flip(cc, `(${cf}) || ${zf}`);
    case 4: return flip(cc, sf);
    case 6: return flip(cc, `(${sf}) !== (${of})`);
    case 7: return flip(cc, `((${sf}) !== (${of})) || ${zf}`);
    default: return null;
  }
}
const flip = (cc: number, e: string): string => ((cc & 1) === 0 ? `((${e}) ? 1 : 0)` : `((${e}) ? 0 : 1)`);

/** The carry of a record of known operation (of any size: cfOf does not read the sign), as an expression, or null. */
function carryExpr({ op }: KnownFlags): string | null {
  if (op === 5) return "0";
  if (op === 3) return "((f$A >>> 0) < (f$B >>> 0) ? 1 : 0)";
  if (op === 1) return "((f$Res >>> 0) < (f$A >>> 0) ? 1 : 0)";
  return op === 6 || op === 7 ? "f$Cin" : null;
}

/** `src` (on locals) with its flag reads specialised to what the region knows of the record. */
function knownFlagReads(src: string, known: KnownFlags): string {
  return src
    .replace(/condOf\((\d+), f\$Op, f\$Res, f\$A, f\$B, f\$Sign, f\$Cin, c\.flags\)/g, (m, cc) => condExpr(Number(cc), known) ?? m)
    .replace(/cfOf\(f\$Op, f\$Res, f\$A, f\$B, f\$Cin, c\.flags\)/g, (m) => carryExpr(known) ?? m)
    .replace(/(?<![\w.$])f\$Op (===|!==) (\d+)/g, (_m, eq, v) => `${(Number(v) === known.op) === (eq === "===")}`);
}

/** The record an instruction of a SETS_KNOWN_FLAGS handler leaves (its local text sets one literal op and sign). */
function flagsSet(local: string): KnownFlags | null {
  const ops = [...local.matchAll(/f\$Op = (\d+);/g)];
  const signs = [...local.matchAll(/f\$Sign = (-?\d+);/g)];
  return ops.length === 1 && signs.length === 1 ? { op: Number(ops[0][1]), sign: Number(signs[0][1]) } : null;
}

/** The effective address of a decoded memory operand as a constant-folded expression. */
function eaExpr(w1: number, disp: string): string {
  let e = `${disp}`;
  if ((w1 & O.HasB) !== 0) e += ` + r[${(w1 >> O.Base) & 7}]`;
  if ((w1 & O.HasX) !== 0) {
    const s = (w1 >> O.Scale) & 3;
    e += s === 0 ? ` + r[${(w1 >> O.Idx) & 7}]` : ` + (r[${(w1 >> O.Idx) & 7}] << ${s})`;
  }
  return `((${e}) | 0)`;
}


/**
 * The register that the code at `eip` loads if it is a PC thunk, `mov r32, [esp]` then
 * `ret` (8B /r with SIB 24, C3: how i386 position-independent code, GCC's
 * __x86.get_pc_thunk.*, finds its own address), read through the TLB as the CPU would
 * fetch it; -1 otherwise (ESP as the register, too: it would not come back).
 */
function pcThunkAt(c: CPU, eip: number): number {
  const lin = (c.segBase[1] + eip) | 0;
  const e = c.tlb[lin >>> 12];
  if ((lin & 0xfff) > 0xffc || (e & c.rmask) !== c.rmask) return -1;
  const p = (e & ~0xfff) | (lin & 0xfff);
  const m = c.ram[p + 1];
  if (c.ram[p] !== 0x8b || (m & 0xc7) !== 0x04 || m === 0x24 || c.ram[p + 2] !== 0x24 || c.ram[p + 3] !== 0xc3) return -1;
  return (m >> 3) & 7;
}

/** The cycles of a PC thunk's two instructions, as the interpreter charges them (their base costs). */
const PC_THUNK_CYCLES = CYC[0x8b] + CYC[0xc3];

interface Insn {
  readonly d: number; // EIP relative to the entry
  readonly k: number; // its record
  readonly w0: number;
}

/**
 * The instruction at entry-relative `d` of the page; null without a fast form (unless
 * the region runs it in place after its entry: inplace.ts, its record word then
 * H.Legacy and its length), or when it has not run yet. The interpreter decodes each
 * instruction as it first runs it, so one without a record is on a path not taken so far
 * (an error path, a late case): the region leaves there instead of compiling it, and if
 * the path turns hot its own region compiles then. The entry is decoded if needed, and so is everything with threshold 0, which
 * compiles at the first entry, before anything has run (tests, the fuzzer).
 */
function insnAt(c: CPU, t: number, off: number, d: number): Insn | null {
  const o = off + d;
  if (o < 0 || o >= 4096) return null;
  const k = ((t << 12) | o) << 2;
  let w0 = c.icache.rec[k];
  if (w0 === 0) {
    if (d !== 0 && c.jitThreshold !== 0) return null;
    w0 = decodeAt(c, (c.winPhys + o) | 0, k);
  }
  const h = w0 & 0xff;
  if (h !== H.Legacy) return FORMS[h as H] !== undefined ? { d, k, w0 } : null;
  // (not as the entry: where the dispatcher enters at one, as it does after each slice
  // of a long REP, the byte interpreter runs it at less cost than a region's call)
  const len = d !== 0 ? inPlaceLength(c, o) : 0;
  return len !== 0 ? { d, k, w0: H.Legacy | (len << 8) } : null;
}

/** Whether the instruction of record word `w0` ends its path in a region (a transfer, or a form that leaves). */
const endsPath = (w0: number): boolean => (w0 & 0xff) !== H.Legacy && FORMS[(w0 & 0xff) as H]!.ends;

/**
 * The dispatcher's step at an entry, offset `off` of the current window's page (table
 * `t`), whose count has reached cpu.jitThreshold or whose page has no region state yet
 * (made here): compiles its region unless one is held, and runs it, then, while it
 * leaves to the entry of another region, that one, moving the code window when it left
 * the page; each only when the cycles it can charge before its first check stay below
 * the limit, each marked used, and a newly compiled one's first runs short (youngRun).
 * Adds the instructions they retired to cpu.retired as each returns, and returns 0; when
 * none ran, -1 (the region was compiled for other segments: dropped, to be counted
 * again), -2 (too near the limit, or it left at its first instruction) or -3 (none
 * held): the dispatcher interprets on.
 */
// (One function, kept out of the dispatcher: V8 inlines functions of under 460 bytes of
// bytecode into their callers, and the dispatcher, inlining code that first ran when its
// first region was compiled, was optimized again then. The counting, which runs at every
// entry, is the dispatcher's.)
export function runRegion(c: CPU, t: number, off: number): number {
  const ic = c.icache;
  let rt = ic.regions[t];
  if (rt === null) {
    rt = regionTable(ic, t);
    if (c.jitThreshold !== 0) {
      rt.hits[off] = 1; // (counted as the dispatcher counts)
      return -3;
    }
  }
  let f = rt.fn[off];
  if (f === null) {
    // code without a loop compiles after SHORT_DEFERRALS more thresholds: it retires a
    // few instructions a run, and code that runs only a few thousand times (a fork
    // benchmark's libc calls) does not repay compiling it (threshold 0, compiling every
    // entry at once, is for tests); it is looked at once, then only counted. Before the
    // CPU's warm-up ends, any code waits WARM_DEFERRALS more. A region that another CPU
    // of this thread compiled for the same code (a benchmark's earlier run) is taken at
    // once: it costs neither compiling nor V8's warm-up.
    const defer = rt.defer[off];
    const wait = (defer !== 0 && defer < SHORT_DEFERRALS) || (defer < WARM_DEFERRALS && c.instructions < c.jitWarmup);
    const got = !wait ? compileRegion(c, t, off, c.jitThreshold > 0 && defer === 0) : keptEntries.has(c.eip) ? compileRegion(c, t, off, false, true) : undefined;
    if (wait && !got) {
      rt.defer[off] = defer + 1;
      rt.hits[off] = 0;
      return -3;
    }
    if (got === undefined) {
      rt.defer[off] = 1;
      rt.hits[off] = 0;
      return -3;
    }
    if (got === null) {
      rt.hits[off] = NOT_COMPILABLE;
      return -3;
    }
    rt = regionTable(ic, t); // (making room may have dropped the table)
    f = got;
  }
  let ran = false;
  for (;;) {
    if (c.cyc + rt.most[off] >= c.cycLimit) return ran ? 0 : -2;
    rt.used[off] = 1;
    const young = rt.young[off];
    let got: number;
    if (young === 0) got = f(c);
    else {
      rt.young[off] = young - 1;
      got = youngRun(c, f, rt.most[off]);
    }
    if (got < 0) {
      if (got === -1) dropRegion(ic, rt, off);
      return ran ? 0 : got;
    }
    c.retired += got; // (at once: a fault in the next region rethrows past this frame)
    ic.compiledRetired += got;
    ran = true;
    off = (c.eip - c.winEip) | 0;
    if (off >>> 0 >= c.winLen) {
      // a call, return or jump to another page: the window moves as the dispatcher moves
      // it, at the same boundary (within the limit; the move may fault or walk)
      if (c.cyc >= c.cycLimit) return 0;
      c.instrEip = c.eip;
      c.instrEsp = c.regs[4];
      setWindow(c, c.eip);
      if (c.winTbl < 0) return 0;
      off = (c.eip - c.winEip) | 0;
    }
    const nt = ic.regions[c.winTbl];
    const next = nt === null ? null : nt.fn[off];
    if (next === null) return 0;
    rt = nt!;
    f = next;
  }
}

/**
 * One of a newly compiled region's first runs (CPU.jitYoungRuns, icache.ts YOUNG_RUNS):
 * as runRegion's call of `f`, but with the limit lowered to just past what the region
 * can charge before its first check (`most`), so that it leaves at a check within a pass
 * or two of any loop. Leaving at a check is exact: the interpreter or the next region
 * goes on from there. These short runs let V8 give the region its type feedback and
 * record it for the region's exit code before the region first loops for a long time.
 * A region whose first runs loop until the end of their slice is otherwise optimized
 * inside its loop (OSR) with no feedback for its exit. V8 (Node 20) then deoptimizes
 * that code at the exit on every later run without replacing it: bench:cpu's int
 * kernel, whose loop is such a region, ran about a third slower in some fresh processes
 * (`--trace-deopt` shows the same code deoptimized at the same exit about a hundred times).
 */
// (A fault leaves the limit lowered: run.ts runSome sets the next block's limit afresh.)
function youngRun(c: CPU, f: Region, most: number): number {
  const lowered = c.cycLimit - (c.cyc + most + 1); // (by a difference: the region may sync the clock, which moves both)
  c.cycLimit -= lowered;
  const got = f(c);
  c.cycLimit += lowered;
  return got;
}

/** One instruction on the region's locals, with its EIPs and exits as tokens (translate). */
interface Translation {
  /**
   * The code; @E@ is its EIP, @N@ the next one's, @X@ its transfer's exit, @L@ leaving
   * at it, @I@ its immediate and @D@ its displacement.
   */
  readonly local: string;
  /** The segment and mode guards the code relies on. */
  readonly guards: readonly string[];
  /** Cycles beyond the base cost it may charge (extraCycles). */
  readonly extra: number;
  /** Whether it writes memory through a helper (so may drop the page's code). */
  readonly writes: boolean;
  /** Whether it may leave, fault or read the cycle counter or instruction count. */
  readonly complex: boolean;
  /** What the region knows of the flags after it; undefined: as before it. */
  readonly flags: KnownFlags | null | undefined;
}

/** translate's results by instruction form and operands, mode and what is known of the flags: these mostly recur. */
const translations = new Map<string, Translation>();
const MAX_TRANSLATIONS = 1 << 15;

/**
 * The fast form of the instruction of record words w0 and w1, expanded and rewritten onto
 * the locals of a region compiled in `mode` (eipVar, operand and stack sizes, segments
 * 0-3), after which the flag record is `known`.
 */
function translate(c: CPU, mode: string, w0: number, w1: number, eipVar: string, known: KnownFlags | null): Translation {
  const key = `${w0} ${w1} ${known === null ? "" : `${known.op} ${known.sign}`} ${mode}`;
  let tr = translations.get(key);
  if (tr !== undefined) return tr;
  const h = (w0 & 0xff) as H;
  const form = FORMS[h]!;
  const text = expandForm(form.body, {
    $SAVE: "s$ = r[4]; ie$ = @E@;",
    $EXIT: "@X@",
    $SIGNED: `${(w1 & O.Flag) !== 0}`,
    $WORD: `${(w1 & O.Word) !== 0}`,
    $CL: `${(w1 & O.Flag) !== 0}`,
    $SEG: `${(w1 >> O.Seg) & 7}`,
    $OP: `${(w1 >> O.Op) & 15}`,
    $IMM: "@I@",
    $EA: eaExpr(w1, "@D@"),
    $EIP: "@E@",
    $NEXT: "@N@",
    $D: `${w1 & 7}`,
    $S: `${(w1 >> O.S) & 7}`,
  });
  const guards = new Set<string>();
  let onLoc = onLocals(eipVar === "x$" ? text.replaceAll("c.eip = ", "x$ = ") : text, c, guards);
  if (known !== null) onLoc = knownFlagReads(onLoc, known);
  // (leaving at a miss takes back the base cycles charged for the instruction at the
  // epilogue: code first run after V8 optimized the region, as a miss may be, deoptimizes
  // it at an arithmetic operation, not at an assignment)
  const unwrapped = missExits(pruneLiteralIfs(flatAccesses(foldConstants(onLoc))), `xc$ = ${(w0 >> 16) & 0xff}; @L@`, EFFECT);
  let local = wrapCalls(unwrapped);
  if (/c\.cyc = cyc\$, t\$ = /.test(local) && !form.body.includes("$SAVE")) throw new Error(`jit: form ${H[h]} may fault without $SAVE`);
  // (the restart point is read only where a helper faults: without a call of one, as
  // wrapCalls writes every call, its stores are dead)
  if (!/t\$ = /.test(local)) local = local.replace("s$ = r$4; ie$ = @E@;", "");
  tr = {
    local,
    guards: [...guards],
    extra: extraCycles(text),
    writes: WRITES.test(unwrapped),
    complex: /cyc\$|(?<![\w$])n(?![\w$])|break top|continue top|t\$|c\.fault|ie\$|@X@|@L@/.test(local),
    flags: SETS_KNOWN_FLAGS.has(h) ? flagsSet(local) : /f\$\w+ =(?!=)/.test(local) ? null : undefined,
  };
  if (translations.size >= MAX_TRANSLATIONS) translations.clear();
  translations.set(key, tr);
  return tr;
}

/** A compiled region: its function, source bytes and the most cycles it can charge before its first check. */
interface Compiled {
  readonly f: Region;
  readonly bytes: number;
  readonly most: number;
  /** Its other cases (entry-relative EIP) and the most cycles each can charge before a check. */
  readonly cases: readonly (readonly [number, number])[];
}

/**
 * Compiled regions by what their source is made from (entry EIP, mode, labels and the
 * records of their instructions), shared by the CPUs of this thread: a region depends
 * only on these and the CPU it is called with, and the same guest code in a fresh machine
 * (a benchmark's next run, a test's) makes the same region. Reusing it saves translating
 * it, and reuses the machine code V8 made for it, which does not start over in V8's
 * interpreter. Emptied when the sources pass JIT_CACHE_BYTES.
 */
const compiled = new Map<string, Compiled>();
let compiledSourceBytes = 0;
/** The entry EIPs of the regions in `compiled`: where runRegion looks for one before its threshold. */
const keptEntries = new Set<number>();

/** Keeps `r`, made from `key`, entered at EIP `entry`, for the CPUs of this thread. */
function keepCompiled(key: string, entry: number, r: Compiled): void {
  if (compiledSourceBytes + r.bytes > JIT_CACHE_BYTES) {
    compiled.clear();
    keptEntries.clear();
    compiledSourceBytes = 0;
  }
  compiled.set(key, r);
  keptEntries.add(entry);
  compiledSourceBytes += r.bytes;
}

/**
 * Holds region `r` at offset `off` of table `t` (making room first), and at its other
 * cases where nothing is held (entered there from then on, without counting), its first
 * runs at each short when its function is `fresh` (youngRun); returns its function.
 */
function hold(c: CPU, t: number, off: number, r: Compiled, fresh: boolean): Region {
  evictRegions(c.icache, JIT_CACHE_BYTES - r.bytes);
  const rt = regionTable(c.icache, t);
  const young = fresh ? c.jitYoungRuns : 0;
  holdRegion(c.icache, rt, off, r.f, r.bytes, r.most, young);
  for (const [d, most] of r.cases) {
    const o = off + d;
    if (o >= 0 && o < 4096 && rt.fn[o] === null && rt.hits[o] !== NOT_COMPILABLE) {
      holdRegion(c.icache, rt, o, r.f, r.bytes, most, young);
      rt.hits[o] = c.jitThreshold;
    }
  }
  c.icache.compiledRegions++;
  return r.f;
}

/**
 * Compiles the region entered at offset `off` of the page of table `t`, which must be the
 * current code window's (cpu.winTbl === t), and holds it in the cache's slot for that
 * entry (making room first). Decodes records on the way. Returns null when the entry
 * instruction has no fast form, and undefined, compiling nothing, when `onlyLoops` and
 * the region has no loop (no direct transfer back to an instruction of it), or when
 * `keptOnly` and no CPU of this thread compiled the same region before.
 */
export function compileRegion(c: CPU, t: number, off: number, onlyLoops = false, keptOnly = false): Region | null | undefined {
  const rec = c.icache.rec;
  const insns = new Map<number, Insn>();
  const labels = new Set<number>([0]);
  const callees = new Set<number>();
  const held = regionTable(c.icache, t).fn;
  const work = [0];
  while (work.length > 0 && insns.size < MAX_REGION) {
    let d = work.pop()!;
    while (!insns.has(d) && insns.size < MAX_REGION) {
      // a path that reaches where another region is held (its entry or another of its
      // cases) is left to it (runRegion enters that region there next, without the
      // interpreter): the same code compiled into several regions would cost V8's
      // optimizing compiler as many times. A loop longer than MAX_REGION then runs as
      // the same chain of regions on every pass, where following its back edge would cut
      // each pass at another instruction and compile a region at each. A call is followed
      // all the same: its return comes back into this region, where leaving to the
      // callee's region would return through the dispatcher.
      const o = off + d;
      if (d !== 0 && !callees.has(d) && o >= 0 && o < 4096 && held[o] !== null) break;
      const i = insnAt(c, t, off, d);
      if (i === null) break;
      insns.set(d, i);
      const h = i.w0 & 0xff;
      const dn = d + ((i.w0 >> 8) & 15);
      if (h === H.Jcc || h === H.Jmp || h === H.Call) {
        const target = dn + rec[i.k + 2];
        labels.add(target);
        work.push(target);
        if (h === H.Call) callees.add(target);
      }
      if (h === H.Call) {
        labels.add(dn); // the return site
        work.push(dn);
      }
      if (endsPath(i.w0)) break;
      d = dn;
    }
  }
  if (!insns.has(0)) return null;
  const order = [...insns.values()].sort((x, y) => x.d - y.d);
  if (onlyLoops && !order.some(({ d, k, w0 }) => {
    const h = w0 & 0xff;
    const target = d + ((w0 >> 8) & 15) + rec[k + 2];
    return (h === H.Jcc || h === H.Jmp || h === H.Call) && target <= d && insns.has(target);
  })) return undefined;
  // a fall-through to a region instruction that is not next in address order (code
  // overlapping another instruction) continues through the switch, so needs a label
  for (let j = 0; j < order.length; j++) {
    const dn = order[j].d + ((order[j].w0 >> 8) & 15);
    if (!endsPath(order[j].w0) && order[j + 1]?.d !== dn && insns.has(dn)) labels.add(dn);
  }
  const entry = c.eip;
  // a transfer's target is kept in x$ (stored to cpu.eip when the region leaves), where
  // only 32-bit code runs: jumpNear, which 16-bit code calls, sets cpu.eip itself
  const eipVar = c.os32 ? "x$" : "c.eip";
  const mode = `${eipVar} ${c.os32} ${c.stack32} ${[0, 1, 2, 3].map((i) => `${c.segBase[i]} ${c.segLimit[i]} ${c.segAttr[i]}`).join(" ")}`;
  const key = `${entry} ${mode} ${[...labels].sort((x, y) => x - y).join(",")} ${order.map(({ d, k, w0 }) => `${d}:${w0}:${rec[k + 1]}:${rec[k + 2]}:${rec[k + 3]}`).join(" ")}`;
  const made = compiled.get(key);
  if (made !== undefined) return hold(c, t, off, made, false);
  if (keptOnly) return undefined;
  const guards = new Set<string>();
  const at = (d: number): string => `${(entry + d) | 0}`;
  // leaving: only local assignments, so a cold exit needs no type feedback (a first run
  // of code without feedback deoptimizes the whole function)
  const leave = (d: number): string => `{ x$ = ${at(d)}; xs$ = true; break top; }`;
  const index = new Map(order.map((o, j) => [o.d, j]));
  // where the path from each instruction goes on without a cycle check (see below)
  const onward: number[][] = [];
  // a backward transfer to `d`: to a join point of the region, after a check that the
  // code from there cannot reach the limit (@B<d>@, filled in below), an exit when it
  // could; to anything else an exit (an instruction that discovery reached only by
  // falling through has counts and known flags carried across it)
  const backTargets = new Set<number>();
  const backOrLeave = (d: number): string => {
    if (!labels.has(d) || !insns.has(d)) return leave(d);
    backTargets.add(d);
    return `if (cyc$ + @B${d}@ >= limit) ${leave(d)}\npc = ${d}; continue top;`;
  };
  // forward transfers [from, to] by order index, each written as @F<from>:<to>@ (below)
  const forwards: [number, number][] = [];
  const code: string[] = [];
  const bound: number[] = [];
  let known: KnownFlags | null = null;
  let inPlace = false; // (an instruction run in place: inplace.ts)
  // Charges and counts of straight-line instructions that cannot leave or fault (they
  // mention neither the cycle counter nor an exit) are added up and made at the next
  // one that can, or before control leaves the straight line.
  let pendCyc = 0;
  let pendN = 0;
  const flush = (cyc: number): string => {
    const out = `${cyc + pendCyc !== 0 ? `cyc$ = (cyc$ + ${cyc + pendCyc}) | 0;\n` : ""}${pendN !== 0 ? `n = (n + ${pendN}) | 0;\n` : ""}`;
    pendCyc = 0;
    pendN = 0;
    return out;
  };
  for (const { d, k, w0 } of order) {
    if (labels.has(d)) known = null;
    const ends = endsPath(w0);
    const dn = d + ((w0 >> 8) & 15);
    const w1 = rec[k + 1];
    const base = (w0 >> 16) & 0xff;
    const j = code.length;
    const h = w0 & 0xff;
    onward.push([]);
    const forward = (t: number): string | null => {
      const i = index.get(t) ?? -1;
      if (i <= j || !labels.has(t)) return null;
      onward[j].push(t);
      forwards.push([j, i]);
      return `@F${j}:${i}@`;
    };
    // a transfer: to a fixed target of the region, the next case without a check when it
    // is forward; leaving when it is not in the region; computed, a check for any case
    let exit: string;
    let thunk = -1;
    if (h === H.Call && c.stack32 && !insns.has(dn + rec[k + 2]) && (thunk = pcThunkAt(c, (entry + dn + rec[k + 2]) | 0)) >= 0) {
      // a call of a PC thunk on another page runs it here, while the TLB still maps the
      // thunk's page and its bytes are the same (the code fetch would hit the TLB, so it
      // charges nothing); otherwise the region leaves at the thunk
      const lin = (c.segBase[1] + entry + dn + rec[k + 2]) | 0;
      const at$ = `(te$ & ~0xfff) | ${lin & 0xfff}`;
      const bytes = (lin & 3) === 0
        ? `ram32$[(${at$}) >> 2] === ${(0xc3240000 | ((0x04 | (thunk << 3)) << 8) | 0x8b) | 0}`
        : `ram$[${at$}] === 0x8b && ram$[(${at$}) + 1] === ${0x04 | (thunk << 3)} && ram$[(${at$}) + 2] === 0x24 && ram$[(${at$}) + 3] === 0xc3`;
      exit = `n = (n + 1) | 0; { const te$ = tlb$[${lin >>> 12}];
if (c.winLen !== 0 && (te$ & rmask$) === rmask$ && ${bytes}) {
r$${thunk} = ${at(dn)}; r$4 = (r$4 + 4) | 0; cyc$ = (cyc$ + ${PC_THUNK_CYCLES}) | 0; n = (n + 2) | 0;
${forward(dn) ?? backOrLeave(dn)}
} else ${leave(dn + rec[k + 2])} }`;
    } else if (h === H.Jcc || h === H.Jmp || h === H.Call) {
      const t = dn + rec[k + 2];
      exit = `n = (n + 1) | 0; ${forward(t) ?? backOrLeave(t)}`;
    } else {
      exit = "n = (n + 1) | 0; @COMPUTED@";
    }
    const v = h === H.ShiftR && flagsDeadAfter(order, code.length, labels, rec)
      ? shiftValue((w1 >> O.Op) & 7, (w1 & O.Flag) === 0 ? rec[k + 2] & 31 : "(r$1 & 31)", `r$${w1 & 7}`) : null;
    let local: string;
    let writes = false;
    let complex = false;
    if (h === H.Legacy) {
      // run in place (inplace.ts): the interpreter's step, from the locals stored as the
      // dispatcher would have them; it charges its own cycles, so the path's bound stops
      // here and a check follows. A fault leaves the CPU as the interpreter left it, with
      // the region's instructions counted (no catch needed; where another call has one,
      // lg$ tells it so). Leaves where the interpreter did not go on to the next
      // instruction (a REP instruction's slice) or dropped this page's code.
      inPlace = true;
      bound.push(0);
      known = null;
      complex = true;
      local = `@FOUT@;
@RSAVE@c.cyc = cyc$; c.eip = ${at(d)}; c.instrEip = ${at(d)}; c.instrEsp = r[4]; c.retired += n;
lg$ = 1; execOne(c); lg$ = 0;
c.retired -= n; cyc$ = c.cyc | 0; @RLOAD@${flagsIn.join(", ")};
n = (n + 1) | 0;
if (c.eip !== ${at(dn)} || c.winLen === 0${insns.has(dn) ? ` || cyc$ + @M${dn}@ >= limit` : ""}) break top;`;
    } else if (v !== null) {
      bound.push(base);
      local = `r$${w1 & 7} = ${v};`;
    } else {
      const tr = translate(c, mode, w0, w1, eipVar, known);
      for (const g of tr.guards) guards.add(g);
      bound.push(base + tr.extra + (thunk >= 0 ? PC_THUNK_CYCLES : 0));
      if (tr.flags !== undefined) known = tr.flags;
      local = tr.local.replaceAll("@E@", at(d)).replaceAll("@N@", at(dn)).replaceAll("@X@", exit).replaceAll("@L@", leave(d))
        .replaceAll("@I@", `${rec[k + 2]}`).replaceAll("@D@", `${rec[k + 3]}`);
      writes = tr.writes;
      complex = tr.complex;
    }
    let out: string;
    if (complex) {
      out = `${flush(base)}{${local}}\n`;
    } else {
      pendCyc += base;
      out = `${local}\n`;
    }
    pendN = ends || h === H.Legacy ? 0 : pendN + 1; // (an ending form counts itself in $EXIT)
    if (!ends) {
      // a write that took the slow path may have dropped this page's code (SMC)
      if (writes) out += `${flush(0)}if (c.winLen === 0) ${leave(dn)}\n`;
      const next = order[code.length + 1];
      if (next === undefined || next.d !== dn || labels.has(next.d)) out += flush(0);
      if (next !== undefined && next.d === dn) {
        if (h !== H.Legacy) onward[j].push(dn);
      } else out += `${forward(dn) ?? backOrLeave(dn)}\n`;
    }
    code.push(out);
  }
  // Cycle checks: on entry and before each backward or computed transfer, the cycle
  // counter plus the most the code from the target can charge until the next check (its
  // longest path through forward transfers, from the templates' bounds) is compared with
  // the limit; when it could reach it the region leaves there and the interpreter runs
  // on with its per-instruction check, so every run stops exactly where the
  // interpreter's would. Forward paths are acyclic: the bounds are made last to first.
  const most: number[] = new Array<number>(order.length);
  for (let j = order.length - 1; j >= 0; j--) {
    most[j] = bound[j] + Math.max(0, ...onward[j].map((t) => most[index.get(t)!]));
  }
  // The switch's cases (see the header; the first instruction too, as a switch body
  // starts with one). A forward transfer's block opens after the last case before its
  // target; where a case lies between the two, the target becomes a case as well.
  const cases = new Set<number>([0, order[0].d, ...backTargets]);
  for (const { d, w0 } of order) {
    const site = d + ((w0 >> 8) & 15);
    if ((w0 & 0xff) === H.Call && insns.has(site)) cases.add(site);
  }
  const crosses = (from: number, to: number): boolean => {
    for (let i = from + 1; i < to; i++) if (cases.has(order[i].d)) return true;
    return false;
  };
  for (let grew = true; grew;) {
    grew = false;
    for (const [from, to] of forwards) {
      if (!cases.has(order[to].d) && crosses(from, to)) {
        cases.add(order[to].d);
        grew = true;
      }
    }
  }
  const ends = new Set(forwards.filter(([from, to]) => !crosses(from, to)).map(([, to]) => to));
  const mostAny = Math.max(...[...cases].map((d) => most[index.get(d)!]));
  // (a computed transfer of a region without loop leaves: it could only re-enter the entry)
  const looped = cases.size > 1 || backTargets.size > 0;
  const leaveComputed = `${eipVar === "x$" ? "xs$ = true; " : ""}break top;`;
  const computed = looped ? `if (cyc$ + ${mostAny} >= limit) { ${leaveComputed} }\npc = (${eipVar} - ${entry}) | 0; continue top;` : leaveComputed;
  let body = "";
  for (let j = 0; j < order.length; j++) {
    if (ends.has(j)) body += "}\n";
    if (cases.has(order[j].d)) {
      if (looped) body += `case ${order[j].d}:\n`;
      let e = j + 1;
      while (e < order.length - 1 && !cases.has(order[e].d)) e++;
      for (let i = e; i > j; i--) if (ends.has(i)) body += `b${i}: {\n`;
    }
    body += code[j];
  }
  body = body.replace(/@[BM](-?\d+)@/g, (_m, d) => `${most[index.get(Number(d))!]}`).replaceAll("@COMPUTED@", computed)
    .replace(/@F(\d+):(\d+)@/g, (_m, from, to) => crosses(Number(from), Number(to)) ? `pc = ${order[Number(to)].d}; continue top;` : `break b${to};`);
  const written = [...new Set([...body.matchAll(/r\$(\d) =(?!=)/g)].map((m) => Number(m[1])))].sort();
  const used = [...new Set([...body.matchAll(/r\$(\d)/g)].map((m) => Number(m[1])))].sort();
  const flagsOut = /f\$\w+ =(?!=)/.test(body) ? FLAG_FIELDS.map((f) => `c.lf${f} = f$${f}`) : [];
  const state = [...written.map((i) => `r[${i}] = r$${i}`), ...flagsOut];
  body = body.replaceAll("@FOUT@", flagsOut.join(", ") || "0")
    .replaceAll("@RSAVE@", used.map((i) => `r[${i}] = r$${i};\n`).join(""))
    .replaceAll("@RLOAD@", used.map((i) => `r$${i} = r[${i}], `).join(""));
  // (a region whose calls cannot fault needs no catch, which makes V8 keep its locals
  // in memory and box them)
  const faults = /c\.cyc = cyc\$,/.test(body);
  const caught = [...state, "c.instrEip = ie$", "c.instrEsp = s$", "c.retired += n"].join(";\n");
  // (EIP and the limit are read from fields, whose representation V8 keeps as it is,
  // rather than passed: arguments come boxed or not as the caller's tier has them, and
  // a region speculating on either deoptimizes)
  const src = `return (function region(c) {
"use strict";
if (${[looped ? `((c.eip ^ ${entry}) & -4096) !== 0` : `c.eip !== ${entry}`, ...guards].join(" || ")}) return -1;
const limit = c.cycLimit | 0;
const r = c.regs;
const tlb$ = c.tlb, ram32$ = c.ram32, ram$ = c.ram, rmask$ = c.rmask, wmask$ = c.wmask;
let ${[...used.map((i) => `r$${i} = r[${i}]`), ...flagsIn].join(", ")};
let cyc$ = c.cyc | 0, n = 0, ${looped ? `pc = (c.eip - ${entry}) | 0, ` : ""}t$, x$ = 0, xs$ = false, xc$ = 0, s$ = 0, ie$ = 0${inPlace ? ", lg$ = 0" : ""};
${faults ? "try {" : "{"}
${looped ? `top: for (;;) {
switch (pc) {
${body}
default:
${leaveComputed}
}
}` : `top: {
${body}
}`}
}${faults ? ` catch (e) {
  ${inPlace ? `if (lg$ === 0) { ${caught}; }` : `${caught};`}
  throw e;
}` : ""}
${["c.cyc = (cyc$ - xc$) | 0", ...state].join(";\n")};
if (xs$) c.eip = x$;
return n === 0 ? -2 : n;
});`;
  const text = src.replace(/\n\s+/g, "\n");
  let f: Region;
  try {
    f = new Function(...HELPER_NAMES, text)(...HELPER_VALUES) as Region;
  } catch (e) {
    // a page whose Content-Security-Policy forbids 'unsafe-eval': this CPU interprets on
    if (!(e instanceof EvalError)) throw e;
    c.useJit = false;
    return null;
  }
  const r = { f, bytes: text.length, most: most[index.get(0)!], cases: looped ? [...cases].filter((d) => d !== 0).map((d) => [d, most[index.get(d)!]] as const) : [] };
  keepCompiled(key, entry, r);
  return hold(c, t, off, r, true);
}
