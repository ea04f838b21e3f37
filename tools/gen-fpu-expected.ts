// Regenerates tests/fpu/expected.txt and tests/fpu/expected-transcendental.txt, the recorded
// x87 results the FPU tests check when the host cannot run the oracle: runs tests/fpu/oracle.c
// on this host's x87 and keeps an even sample of its records for every op.
//
//   node bin/run-ts.mjs tools/gen-fpu-expected.ts
//
// Needs an x86_64 host with clang.

import { writeFileSync } from "node:fs";
import { OPS, REC } from "../tests/fpu/cases.ts";
import { recordToText } from "../tests/fpu/compare.ts";
import { oracleMissing, runOracle } from "../tests/fpu/oracle.ts";

/** Oracle arguments (random-sweep count, seed) and cases kept per op. */
const GEN_ARGS = ["300", "0x5eed5eed"];
const PER_OP = 120;

const missing = oracleMissing();
if (missing) throw new Error(`cannot regenerate: ${missing}`);

/** Writes an even sample of perOp records of every op in buf to file. */
function record(buf: Uint8Array, perOp: number, file: string, args: string[]): void {
  const byOp = new Map<number, number[]>();
  for (let off = 0; off + REC <= buf.length; off += REC) {
    const op = buf[off] | (buf[off + 1] << 8);
    let list = byOp.get(op);
    if (!list) byOp.set(op, (list = []));
    list.push(off);
  }
  const lines = [
    `# x87 results recorded on an x86_64 host by tools/gen-fpu-expected.ts (oracle ${args.join(" ")}).`,
    "# op cw sw A B R1 R2 (tests/fpu/compare.ts recordToText; op numbers as in tests/fpu/cases.ts OPS).",
  ];
  for (const [op, offs] of [...byOp].sort((x, y) => x[0] - y[0])) {
    const n = Math.min(perOp, offs.length);
    for (let i = 0; i < n; i++) lines.push(recordToText(buf, offs[Math.floor((i * offs.length) / n)]));
    console.log(`${OPS[op]}: ${n} of ${offs.length}`);
  }
  writeFileSync(new URL(`../tests/fpu/${file}`, import.meta.url), lines.join("\n") + "\n");
  console.log(`${file}: ${lines.length - 2} cases`);
}

record(runOracle(GEN_ARGS), PER_OP, "expected.txt", GEN_ARGS);
const TRANS_ARGS = ["300", "0x5eed5eed", "34", "27"];
record(runOracle(TRANS_ARGS), 60, "expected-transcendental.txt", TRANS_ARGS);
