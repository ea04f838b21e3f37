// Distance in units in the last place between the TypeScript transcendental results and the
// host x87's, for tests/fpu/transcendental.test.ts: the implementation may differ from a real
// x87 in the last bit (Intel SDM Vol. 1, 8.3.10), so these ops are measured, not required to
// be identical.

import { OPS, REC, SW_MASK, tinyPassThroughSlots, replay } from "./cases.ts";

export interface UlpStats {
  cases: number;
  /** Value bytes and status word identical. */
  exact: number;
  /** Values identical (status word may differ, e.g. C1 or PE). */
  sameValue: number;
  /** Finite results of one sign at most 1 unit apart (and not identical). */
  oneUlp: number;
  /** Largest distance among finite same-sign results. */
  maxUlp: number;
  /** Differences that are not a last-bit matter: NaN vs number, sign, special values. */
  other: number;
  /** Cases outside the SDM's operand domain, left out of the figures above. */
  outside: number;
  /** Cases of a live host with a tiny pass-through (tinyPassThroughSlots), left out of the figures above; their other result is still compared. */
  tinyPassThrough: number;
  examples: string[];
}

function img(b: Uint8Array, off: number): { se: number; m: bigint } {
  let m = 0n;
  for (let i = 7; i >= 0; i--) m = (m << 8n) | BigInt(b[off + i]);
  return { se: b[off + 8] | (b[off + 9] << 8), m };
}

/** The 80-bit value's position among the values of its sign (consecutive values differ by 1). */
function ord(v: { se: number; m: bigint }): bigint {
  const e = v.se & 0x7fff;
  return e === 0 ? v.m : (BigInt(e - 1) << 63n) + v.m;
}

/** The 80-bit image at off as a JS number (for domain checks only). */
function approx(b: Uint8Array, off: number): number {
  const { se, m } = img(b, off);
  const e = se & 0x7fff;
  return (se & 0x8000 ? -1 : 1) * Number(m) * 2 ** ((e === 0 ? 1 : e) - 16383 - 63);
}

/**
 * Whether the case lies outside the operand domain the SDM defines (results undefined there):
 * F2XM1 needs -1 <= x <= +1, FYL2XP1 |x| < 1 - sqrt(2)/2.
 */
export function outOfDomain(buf: Uint8Array, off: number): boolean {
  const op = OPS[buf[off] | (buf[off + 1] << 8)];
  const se = buf[off + 16] | (buf[off + 17] << 8);
  if ((se & 0x7fff) === 0x7fff) return false; // infinities and NaNs have defined results
  const x = Math.abs(approx(buf, off + 8));
  if (op === "f2xm1") return (se & 0x7fff) >= 16383 && !(x === 1 && img(buf, off + 8).m === 1n << 63n);
  if (op === "fyl2xp1") return x >= 1 - Math.SQRT1_2;
  return false;
}

/** Compares the transcendental records in buf (ops 27-34) per op; `tolerateTiny` as in compareRecords. */
export function ulpStats(buf: Uint8Array, keep = 10, tolerateTiny = false): Map<string, UlpStats> {
  const out = new Uint8Array(24);
  const res = new Map<string, UlpStats>();
  for (let off = 0; off + REC <= buf.length; off += REC) {
    const op = OPS[buf[off] | (buf[off + 1] << 8)];
    const sw = replay(buf, off, out);
    if (sw < 0) continue;
    let st = res.get(op);
    if (!st) res.set(op, (st = { cases: 0, exact: 0, sameValue: 0, oneUlp: 0, maxUlp: 0, other: 0, outside: 0, tinyPassThrough: 0, examples: [] }));
    if (outOfDomain(buf, off)) {
      st.outside++;
      continue;
    }
    const want = (buf[off + 4] | (buf[off + 5] << 8)) & SW_MASK;
    const pass = tolerateTiny ? tinyPassThroughSlots(buf, off, sw & SW_MASK, want) : 0;
    if (pass) st.tinyPassThrough++;
    else st.cases++;
    let worst = 0n;
    let special = false;
    for (const k of [0, 12]) {
      if (pass & (k ? 2 : 1)) continue;
      const a = img(buf, off + 32 + k);
      const b = img(out, k);
      if (a.se === b.se && a.m === b.m) continue;
      const finite = (v: { se: number }) => (v.se & 0x7fff) !== 0x7fff && v.se !== 0xa5a5;
      if (!finite(a) || !finite(b) || (a.se & 0x8000) !== (b.se & 0x8000)) {
        special = true;
        continue;
      }
      const d = ord(a) > ord(b) ? ord(a) - ord(b) : ord(b) - ord(a);
      if (d > worst) worst = d;
    }
    if (special) st.other++;
    else if (pass) {
      if (Number(worst) > st.maxUlp) st.maxUlp = Number(worst);
    } else if (worst === 0n) {
      st.sameValue++;
      if ((sw & SW_MASK) === want) st.exact++;
    } else {
      if (worst === 1n) st.oneUlp++;
      if (Number(worst) > st.maxUlp) st.maxUlp = Number(worst);
    }
    if ((special || worst > 1n) && st.examples.length < keep) {
      const hex = (b: Uint8Array, o: number) => [...b.subarray(o, o + 10)].reverse().map((x) => x.toString(16).padStart(2, "0")).join("");
      st.examples.push(
        `${op} cw=${(buf[off + 2] | (buf[off + 3] << 8)).toString(16)} a=${hex(buf, off + 8)} b=${hex(buf, off + 20)}` +
          ` | x87 ${hex(buf, off + 32)} ${hex(buf, off + 44)} sw=${want.toString(16)} | ts ${hex(out, 0)} ${hex(out, 12)} sw=${(sw & SW_MASK).toString(16)}`,
      );
    }
  }
  return res;
}
