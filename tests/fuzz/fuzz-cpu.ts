// `npm run fuzz:cpu -- N [--seed S] [--case I] [--bytes B] [--cycles C] [--ring0] [--jit]`
// Runs N random ring-3 instruction sequences on the CPU (see cpu-fuzzer.ts) and prints a
// summary table. Exit status 1 when any case threw a host exception. --jit runs each
// case again with every entry compiled at once and fails the case when the compiled run
// ends in another state than the interpreter's. The default seed is
// fixed (0x5eed), so two runs with the same arguments do the same thing.

import { fuzzCpu, formatSummary } from "./cpu-fuzzer.ts";

function usage(msg?: string): never {
  if (msg) console.error(`fuzz:cpu: ${msg}`);
  console.error("usage: npm run fuzz:cpu -- N [--seed S] [--case I] [--bytes B] [--cycles C] [--ring0] [--jit]");
  process.exit(2);
}

const args = process.argv.slice(2);
let cases = 10_000;
let seed = 0x5eed;
let first = 0;
let bytes = 16;
let cycles = 20_000;
let ring: 0 | 3 = 3;
let compareJit = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const num = (v: string | undefined): number => {
    const n = v === undefined ? NaN : Number(v);
    if (!Number.isFinite(n) || n < 0) usage(`bad number for ${a}: ${v}`);
    return n;
  };
  if (a === "--seed") seed = num(args[++i]) >>> 0;
  else if (a === "--case") { first = num(args[++i]); cases = 1; }
  else if (a === "--bytes") bytes = num(args[++i]);
  else if (a === "--cycles") cycles = num(args[++i]);
  else if (a === "--ring0") ring = 0;
  else if (a === "--jit") compareJit = true;
  else if (a === "--help" || a === "-h") usage();
  else if (/^\d+$/.test(a)) cases = Number(a);
  else usage(`unknown argument ${a}`);
}

console.log(`fuzz:cpu: ${cases} cases from #${first}, seed 0x${seed.toString(16)}, ${bytes} bytes each, ${cycles} cycles budget, ring ${ring}${compareJit ? ", each also compiled" : ""}`);
const summary = fuzzCpu({
  seed, cases, first, bytesPerCase: bytes, cyclesPerCase: cycles, ring, compareJit,
  onFailure: (f) => console.log(`HOST FAILURE seed 0x${f.seed.toString(16)} case ${f.caseNo} bytes [${f.bytes}]\n  ${f.error.split("\n").slice(0, 4).join("\n  ")}`),
});
console.log(formatSummary(summary));
process.exit(summary.failures.length > 0 ? 1 : 0);
