// Whole-program measurements of `npm run bench:cpu` (bench/cpu.ts runs this file
// bundled, in fresh processes): `node program-bench.mjs NAME[,NAME...]` boots vmalab once
// and runs those workloads of bench/whole-program.ts in that order in the one boot, and
// prints JSON (ProgramMeasurement[], one per workload) with each one's instructions, host
// wall and CPU seconds, the share run compiled and the process's peak RSS; `--no-jit`
// turns the block compiler off. `--again` boots again in the same process and runs them
// a second time (the host's JIT warm, the regions compiled by the first run kept: jit.ts
// `compiled`), adding those runs' seconds as `againSecs`. `--timeline NAME` adds the
// course of NAME's first run: a row per tenth of a second of wall time
// (ProgramRunTimelineRow).

import { runProgramWorkloads, type ProgramRunSample } from "./whole-program.ts";
import { CPU } from "../emulator/cpu/cpu.ts";

/** [wall seconds at its end, MIPS (wall) over it, share of its instructions run compiled, regions compiled by its end]. */
export type ProgramRunTimelineRow = [number, number, number, number];

/** One workload's measurement; this prints an array of them as JSON. */
export interface ProgramMeasurement {
  name: string;
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
  const names = (process.argv[2] ?? "sha256sum").split(",");
  const flag = (f: string) => process.argv.indexOf(f);
  CPU.jitByDefault = flag("--no-jit") < 0;
  const sampled = flag("--timeline") < 0 ? undefined : process.argv[flag("--timeline") + 1];
  const timeline: ProgramRunTimelineRow[] = [];
  const first = runProgramWorkloads(names, sampled, sampled === undefined ? undefined : timeliner(timeline));
  const again = flag("--again") < 0 ? null : runProgramWorkloads(names);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(first.map((r, i) => {
    const a = again?.[i];
    if (a !== undefined && a.instructions !== r.instructions) throw new Error(`${r.name}: the second run retired ${a.instructions} instructions, the first ${r.instructions}`);
    return {
      name: r.name,
      instructions: r.instructions,
      secs: r.secs,
      cpuSecs: r.cpuSecs,
      compiledShare: r.compiledShare,
      againSecs: a?.secs,
      againCpuSecs: a?.cpuSecs,
      rssMiB,
      ...(r.name === sampled ? { timeline } : {}),
    } satisfies ProgramMeasurement;
  })));
} catch (e) {
  console.error(`bench:cpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
