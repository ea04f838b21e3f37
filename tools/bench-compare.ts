// Compares the guest figures of two `npm run bench` results.json files: for
// every case and design, the guest cycles per operation (of the kernel path
// and of the whole program), the operation counts and every kernel counter.
// Host times differ from run to run and are not compared. Prints one line per
// difference and a summary; exits 1 when anything differs.
//
//   node bin/run-ts.mjs tools/bench-compare.ts OLD/results.json NEW/results.json
//
// Used to show that a change left behaviour alone (same guest cycles in the
// benchmark table): run `npm run bench -- --quick --no-native --out DIR` on
// both commits, then this.

import { readFileSync } from "node:fs";

interface DesignResult {
  cyclesPerOp: number;
  programCyclesPerOp: number;
  ops: number;
  counters: Record<string, number>;
}
interface Results {
  meta: { commit: string };
  cases: { id: string; designs: Record<string, DesignResult> }[];
}

function load(path: string): Results {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Results;
  } catch (e) {
    console.error(`bench-compare: cannot read ${path}: ${(e as Error).message}`);
    process.exit(2);
  }
}

const args = process.argv.slice(2);
if (args.length !== 2) {
  console.error("usage: node bin/run-ts.mjs tools/bench-compare.ts OLD/results.json NEW/results.json");
  process.exit(2);
}
const [a, b] = args.map(load);
const guest = (r: DesignResult) => JSON.stringify({ cycles: r.cyclesPerOp, program: r.programCyclesPerOp, ops: r.ops, counters: r.counters });
let compared = 0;
let differ = 0;
for (const ca of a.cases) {
  const cb = b.cases.find((c) => c.id === ca.id);
  for (const [design, ra] of Object.entries(ca.designs)) {
    const rb = cb?.designs[design];
    compared++;
    if (!rb) {
      differ++;
      console.log(`${ca.id} ${design}: missing from the second file`);
    } else if (guest(ra) !== guest(rb)) {
      differ++;
      console.log(`${ca.id} ${design}: ${guest(ra)}\n  -> ${guest(rb)}`);
    }
  }
}
console.log(`${a.meta.commit} -> ${b.meta.commit}: ${compared} case x design results, ${differ} differ in guest cycles, operations or counters`);
process.exit(differ === 0 ? 0 : 1);
