// One whole-program measurement of `npm run bench:cpu` (bench/cpu.ts runs this file
// bundled, once per fresh process): `node program-bench.mjs NAME` runs the workload NAME
// of bench/whole-program.ts on vmalab and prints JSON (ProgramMeasurement) with its
// instructions, host wall and CPU seconds, the share run compiled and the peak RSS;
// `--no-jit` turns the block compiler off. `--again` runs it a second
// time in the same process on a fresh guest (the host's JIT warm, the regions compiled by
// the first run kept: jit.ts `compiled`) and adds that run's seconds as `againSecs`.
// `--timeline` adds the first run's course: a row per tenth of a second of wall time
// (ProgramRunTimelineRow).

import { runProgramWorkload, type ProgramRunSample } from "./whole-program.ts";
import { CPU } from "../emulator/cpu/cpu.ts";

/** [wall seconds at its end, MIPS (wall) over it, share of its instructions run compiled, regions compiled by its end]. */
export type ProgramRunTimelineRow = [number, number, number, number];

/** What this prints (as JSON). */
export interface ProgramMeasurement {
  instructions: number;
  secs: number;
  cpuSecs: number;
  compiledShare: number;
  againSecs?: number;
  againCpuSecs?: number;
  rssMiB: number;
  timeline?: ProgramRunTimelineRow[];
}

/** The rows of `timeline` made from a run's samples: one each time a tenth of a second has passed. */
function timeliner(timeline: ProgramRunTimelineRow[]): (s: ProgramRunSample) => void {
  let last: ProgramRunSample = { secs: 0, instructions: 0, compiled: 0, regions: 0 };
  return (s) => {
    if (s.secs - last.secs < 0.1) return;
    const n = s.instructions - last.instructions;
    timeline.push([s.secs, n / (s.secs - last.secs) / 1e6, n > 0 ? (s.compiled - last.compiled) / n : 0, s.regions]);
    last = s;
  };
}

try {
  const name = process.argv[2] ?? "sha256sum";
  CPU.jitByDefault = !process.argv.includes("--no-jit");
  const timeline: ProgramRunTimelineRow[] = [];
  const r = runProgramWorkload(name, process.argv.includes("--timeline") ? timeliner(timeline) : undefined);
  const again = process.argv.includes("--again") ? runProgramWorkload(name) : null;
  if (again !== null && again.instructions !== r.instructions) throw new Error(`${name}: the second run retired ${again.instructions} instructions, the first ${r.instructions}`);
  console.log(JSON.stringify({
    instructions: r.instructions,
    secs: r.secs,
    cpuSecs: r.cpuSecs,
    compiledShare: r.compiledShare,
    againSecs: again?.secs,
    againCpuSecs: again?.cpuSecs,
    rssMiB: process.resourceUsage().maxRSS / 1024,
    ...(timeline.length > 0 ? { timeline } : {}),
  } satisfies ProgramMeasurement));
} catch (e) {
  console.error(`bench:cpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
