// node bin/run-ts.mjs tests/kernels/pm/run-kernel.ts FILE.bin — boots one test kernel and prints its output.
import { readFileSync } from "node:fs";
import { bootKernel } from "./boot-kernel.ts";

const file = process.argv[2];
if (!file) {
  console.error("usage: run-kernel.ts KERNEL.bin");
  process.exit(2);
}
const r = bootKernel(new Uint8Array(readFileSync(file)));
process.stdout.write(r.output);
console.log(`-- end ${r.end}, exit status ${r.exitStatus}, resets ${r.resets}, cycles ${r.cycles}`);
