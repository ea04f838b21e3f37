// One whole-program measurement of `npm run bench:cpu` (bench/cpu.ts runs this file
// bundled, once per fresh process): `node program-bench.mjs NAME` runs the workload NAME
// of bench/whole-program.ts on vmalab and prints JSON with its instructions, host wall
// seconds and peak RSS; `--no-jit` turns the block compiler off.

import { runProgramWorkload } from "./whole-program.ts";
import { CPU } from "../emulator/cpu/cpu.ts";

try {
  const name = process.argv[2] ?? "sha256sum";
  CPU.jitByDefault = !process.argv.includes("--no-jit");
  const r = runProgramWorkload(name);
  console.log(JSON.stringify({ workload: name, instructions: r.instructions, secs: r.secs, rssMiB: process.resourceUsage().maxRSS / 1024 }));
} catch (e) {
  console.error(`bench:cpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
