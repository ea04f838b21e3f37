// One whole-program measurement of `npm run bench:cpu` (bench/cpu.ts runs this file
// bundled, once per fresh process): `node program-bench.mjs NAME` runs the workload NAME
// of bench/whole-program.ts on vmalab and prints JSON with its instructions, host wall
// seconds and peak RSS; `--no-jit` turns the block compiler off. `--again` runs it a second
// time in the same process on a fresh guest (the host's JIT warm, the regions compiled by
// the first run kept: jit.ts `compiled`) and adds that run's seconds as `againSecs`.

import { runProgramWorkload } from "./whole-program.ts";
import { CPU } from "../emulator/cpu/cpu.ts";

try {
  const name = process.argv[2] ?? "sha256sum";
  CPU.jitByDefault = !process.argv.includes("--no-jit");
  const r = runProgramWorkload(name);
  const again = process.argv.includes("--again") ? runProgramWorkload(name) : null;
  if (again !== null && again.instructions !== r.instructions) throw new Error(`${name}: the second run retired ${again.instructions} instructions, the first ${r.instructions}`);
  console.log(JSON.stringify({ workload: name, instructions: r.instructions, secs: r.secs, againSecs: again?.secs, rssMiB: process.resourceUsage().maxRSS / 1024 }));
} catch (e) {
  console.error(`bench:cpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
