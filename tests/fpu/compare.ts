// Compares oracle records (tests/fpu/oracle.c layout) with the TypeScript x87 core, and reads
// and writes the compact text form of records kept in tests/fpu/expected.txt.

import { OPS, REC, SW_MASK, tinyPassThroughSlots, replay } from "./cases.ts";

export interface Verdict {
  cases: number;
  perOp: Map<string, { cases: number; bad: number }>;
  /** The first mismatches, one line each: op, cw, operands, expected and actual. */
  first: string[];
  bad: number;
  /** Mismatches of the one known difference between x87 generations (tinyPassThroughSlots), when tolerated. */
  tinyPassThrough: number;
}

function hex80(b: Uint8Array, off: number): string {
  let s = "";
  for (let i = 9; i >= 0; i--) {
    s += b[off + i].toString(16).padStart(2, "0");
    if (i === 8) s += "_";
  }
  return s;
}

/**
 * Replays every record in buf (ops listed in skip are left out) and counts the mismatches;
 * with `tolerateTiny` (a live host), cases whose only differences are tiny pass-throughs
 * (tinyPassThroughSlots) are counted apart instead.
 */
export function compareRecords(buf: Uint8Array, keep = 20, skip: ReadonlySet<string> = new Set(), tolerateTiny = false): Verdict {
  const out = new Uint8Array(24);
  const v: Verdict = { cases: 0, perOp: new Map(), first: [], bad: 0, tinyPassThrough: 0 };
  for (let off = 0; off + REC <= buf.length; off += REC) {
    const op = OPS[buf[off] | (buf[off + 1] << 8)];
    if (skip.has(op)) continue;
    const sw = replay(buf, off, out);
    if (sw < 0) continue;
    let stat = v.perOp.get(op);
    if (!stat) v.perOp.set(op, (stat = { cases: 0, bad: 0 }));
    stat.cases++;
    v.cases++;
    const want = (buf[off + 4] | (buf[off + 5] << 8)) & SW_MASK;
    const pass = tolerateTiny ? tinyPassThroughSlots(buf, off, sw & SW_MASK, want) : 0;
    let same = (sw & SW_MASK) === want || pass !== 0;
    for (let i = 0; i < 10 && same; i++) {
      if ((out[i] !== buf[off + 32 + i] && !(pass & 1)) || (out[12 + i] !== buf[off + 44 + i] && !(pass & 2))) same = false;
    }
    if (same && pass) v.tinyPassThrough++;
    if (same) continue;
    stat.bad++;
    v.bad++;
    if (v.first.length < keep) {
      const cw = buf[off + 2] | (buf[off + 3] << 8);
      v.first.push(
        `${op} cw=${cw.toString(16).padStart(4, "0")} a=${hex80(buf, off + 8)} b=${hex80(buf, off + 20)}` +
          ` | x87 ${hex80(buf, off + 32)} ${hex80(buf, off + 44)} sw=${want.toString(16)}` +
          ` | ts ${hex80(out, 0)} ${hex80(out, 12)} sw=${(sw & SW_MASK).toString(16)}`,
      );
    }
  }
  return v;
}

/**
 * One record as a text line: op cw sw A B R1 R2 (hex; images as 20 digits, most significant
 * byte first, "0" for all zeros and "-" for the untouched 0xA5 sentinel).
 */
export function recordToText(buf: Uint8Array, off: number): string {
  const u16 = (i: number) => (buf[off + i] | (buf[off + i + 1] << 8)).toString(16);
  const img = (i: number) => {
    const h = hex80(buf, off + i).replace("_", "");
    return h === "a5".repeat(10) ? "-" : h === "0".repeat(20) ? "0" : h;
  };
  return `${u16(0)} ${u16(2)} ${u16(4)} ${img(8)} ${img(20)} ${img(32)} ${img(44)}`;
}

/** Parses text lines written by recordToText back into records. */
export function textToRecords(text: string): Uint8Array {
  const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  const buf = new Uint8Array(lines.length * REC);
  lines.forEach((line, n) => {
    const f = line.split(" ");
    const off = n * REC;
    for (const [i, at] of [[0, 0], [1, 2], [2, 4]] as const) {
      const x = parseInt(f[i], 16);
      buf[off + at] = x & 0xff;
      buf[off + at + 1] = x >>> 8;
    }
    for (const [i, at] of [[3, 8], [4, 20], [5, 32], [6, 44]] as const) {
      const h = f[i] === "-" ? "a5".repeat(10) : f[i] === "0" ? "0".repeat(20) : f[i];
      for (let b = 0; b < 10; b++) buf[off + at + b] = parseInt(h.slice(18 - 2 * b, 20 - 2 * b), 16);
    }
  });
  return buf;
}
