// The block compiler. Hot entry points of cached code (counted per physical address by
// dispatch.ts) are compiled into JavaScript functions made with `new Function` from the
// fast forms' templates (forms.ts), with every decoded field a constant.
//
// A compiled region starts where the interpreter's outer loop starts (after a transfer,
// a window change or an uncached instruction) and holds the instructions of the same
// page reachable from there through direct branches, calls and returns to the
// instruction after a call, up to the first instruction without a fast form on each
// path and at most MAX_REGION instructions. They are laid out in address order in one
// `switch (pc)` whose labels are the region's entry and its branch targets, inside a
// loop: a transfer to an address of the page continues there without leaving, as a
// return to a call site does; any other transfer leaves.
//
// Exactness (the same guest state, cycles and instruction boundaries as the interpreter):
//   - each instruction charges its base cycles first and its extras in its template;
//   - after each instruction the region leaves when cpu.cyc reaches the limit, exactly
//     where the interpreter's loop checks it, and after each memory form when a write
//     dropped the current page's records (cpu.winLen = 0: self-modifying code);
//   - a fault leaves through CPU_FAULT with instrEip/instrEsp saved by the form, after
//     adding the instructions completed in the region to cpu.retired;
//   - EIP is relative to the entry (the same physical page may be mapped anywhere), so
//     a region is keyed by physical address alone and dropped with the page's records
//     (icache.ts tableFor / invalidateCodePage).

import type { CPU } from "./cpu.ts";
import { segR, segW, rd8, rd16, rd32, wr8, wr32, rdW8, rdW32, push32, peek32, addSp } from "./access.ts";
import { alu, sub32, logicFlags, shift, imulTrunc } from "./alu.ts";
import { cond, getCF } from "./flags.ts";
import { R8, jumpNear } from "./operands.ts";
import { decodeAt } from "./decode.ts";
import { MEM_READ, MEM_RMW, BRANCH_TAKEN } from "./timing.ts";
import { H, O } from "./records.ts";
import { FORMS, expandForm } from "./forms.ts";

/**
 * Runs the region entered at EIP `eip` (the current window holds it) with cycle limit
 * `limit` until it leaves; returns the instructions it retired and sets cpu.eip. On a
 * fault, adds them to cpu.retired and rethrows.
 */
export type Region = (c: CPU, limit: number, eip: number) => number;

/** Entries into a cached instruction after which its block is compiled. */
export const JIT_THRESHOLD = 32;
/** Instructions a region holds at most. */
const MAX_REGION = 256;

/** What the templates may call, passed to every compiled function. */
const HELPERS = {
  segR, segW, rd8, rd16, rd32, wr8, wr32, rdW8, rdW32, push32, peek32, addSp,
  alu, sub32, logicFlags, shift, imulTrunc, cond, getCF, R8, jumpNear,
  MEM_READ, MEM_RMW, BRANCH_TAKEN,
};
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

/** The effective address of a decoded memory operand as a constant-folded expression. */
function eaExpr(w1: number, disp: number): string {
  let e = `${disp}`;
  if ((w1 & O.HasB) !== 0) e += ` + r[${(w1 >> O.Base) & 7}]`;
  if ((w1 & O.HasX) !== 0) {
    const s = (w1 >> O.Scale) & 3;
    e += s === 0 ? ` + r[${(w1 >> O.Idx) & 7}]` : ` + (r[${(w1 >> O.Idx) & 7}] << ${s})`;
  }
  return `((${e}) | 0)`;
}

const at = (d: number): string => (d === 0 ? "eip" : `((eip + ${d}) | 0)`);

interface Insn {
  readonly d: number; // EIP relative to the entry
  readonly k: number; // its record
  readonly w0: number;
}

/** The instruction at entry-relative `d` of the page, decoded if needed; null without a fast form. */
function insnAt(c: CPU, t: number, off: number, d: number): Insn | null {
  const o = off + d;
  if (o < 0 || o >= 4096) return null;
  const k = ((t << 12) | o) << 2;
  let w0 = c.icache.rec[k];
  if (w0 === 0) w0 = decodeAt(c, (c.winPhys + o) | 0, k);
  const h = w0 & 0xff;
  return h !== H.Legacy && FORMS[h as H] !== undefined ? { d, k, w0 } : null;
}

/**
 * Compiles the region entered at offset `off` of the page of table `t`, which must be the
 * current code window's (cpu.winTbl === t). Decodes records on the way. Returns null
 * when the entry instruction has no fast form.
 */
export function compileRegion(c: CPU, t: number, off: number): Region | null {
  const rec = c.icache.rec;
  const insns = new Map<number, Insn>();
  const labels = new Set<number>([0]);
  const work = [0];
  while (work.length > 0 && insns.size < MAX_REGION) {
    let d = work.pop()!;
    while (!insns.has(d) && insns.size < MAX_REGION) {
      const i = insnAt(c, t, off, d);
      if (i === null) break;
      insns.set(d, i);
      const h = i.w0 & 0xff;
      const dn = d + ((i.w0 >> 8) & 15);
      if (h === H.Jcc || h === H.Jmp || h === H.Call) {
        const target = dn + rec[i.k + 2];
        labels.add(target);
        work.push(target);
      }
      if (h === H.Call) {
        labels.add(dn); // the return site
        work.push(dn);
      }
      if (FORMS[h as H]!.ends) break;
      d = dn;
    }
  }
  if (!insns.has(0)) return null;
  const order = [...insns.values()].sort((x, y) => x.d - y.d);
  let body = "";
  for (let j = 0; j < order.length; j++) {
    const { d, k, w0 } = order[j];
    const h = w0 & 0xff;
    const form = FORMS[h as H]!;
    const dn = d + ((w0 >> 8) & 15);
    const w1 = rec[k + 1];
    const code = expandForm(form.body, {
      $SAVE: `c.instrEip = ${at(d)}; c.instrEsp = r[4];`,
      $EXIT: "n++; if (c.cyc >= limit) return n; pc = (c.eip - eip) | 0; continue;",
      $SIGNED: `${(w1 & O.Flag) !== 0}`,
      $WORD: `${(w1 & O.Word) !== 0}`,
      $CL: `${(w1 & O.Flag) !== 0}`,
      $SEG: `${(w1 >> O.Seg) & 7}`,
      $OP: `${(w1 >> O.Op) & 15}`,
      $IMM: `${rec[k + 2]}`,
      $EA: eaExpr(w1, rec[k + 3]),
      $EIP: at(d),
      $NEXT: at(dn),
      $D: `${w1 & 7}`,
      $S: `${(w1 >> O.S) & 7}`,
    });
    if (labels.has(d)) body += `case ${d}:
`;
    body += `c.cyc += ${(w0 >> 16) & 0xff};
{${code}}
n++;
`;
    if (form.ends) continue;
    const leave = form.mem ? "c.winLen === 0 || c.cyc >= limit" : "c.cyc >= limit";
    body += `if (${leave}) { c.eip = ${at(dn)}; return n; }
`;
    const next = order[j + 1];
    if (next === undefined || next.d !== dn) {
      body += insns.has(dn) ? `pc = ${dn}; continue;
` : `c.eip = ${at(dn)}; return n;
`;
    }
  }
  const src = `return function region(c, limit, eip) {
"use strict";
const r = c.regs;
let n = 0;
let pc = 0;
try {
  for (;;) {
    switch (pc) {
${body}
    default:
      return n;
    }
  }
} catch (e) {
  c.retired += n;
  throw e;
}
};`;
  return new Function(...HELPER_NAMES, src)(...HELPER_VALUES) as Region;
}
