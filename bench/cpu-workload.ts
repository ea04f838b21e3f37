// One measurement of `npm run bench:cpu` (bench/cpu.ts runs this file bundled, once per
// fresh process): boots one benchmark kernel (bench/kernels/) on one emulator and prints
// its output, the instructions it ran, host wall and CPU seconds and the process's peak
// resident memory.
//
//   node cpu-bench.mjs [--engine vmalab|vmalab-interp|v86-jit|v86-interp] [--workload int|mem|call|string]
//                      [--kernel FILE.bin] [--iterations N] [--json]
//
// vmalab counts instructions exactly (Machine.instructions); for v86 the same kernel runs
// the same instructions, so bench/cpu.ts divides vmalab's count by v86's time. v86's own
// counter (get_instruction_counter) is printed beside it as a cross-check.

import { kernelImage } from "./kernels/workloads.ts";
import { runKernelOnVmalab } from "./kernels/run-vmalab.ts";
import { runKernelOnV86 } from "./kernels/run-v86.ts";
import { CPU } from "../emulator/cpu/cpu.ts";

/** vmalab: with its block compiler (--jit); vmalab-interp: without (the default). */
export const ENGINES = ["vmalab", "vmalab-interp", "v86-jit", "v86-interp"] as const;
export type Engine = (typeof ENGINES)[number];

/** What one process measured; printed as JSON with --json. */
export interface KernelMeasurement {
  engine: Engine;
  workload: string;
  output: string;
  /** vmalab's exact count (vmalab runs only). */
  instructions?: number;
  cycles?: number;
  /** v86's own counter (v86 runs only). */
  v86Instructions?: number;
  secs: number;
  cpuSecs: number;
  rssMiB: number;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs the measurement the command line asks for. */
async function main(args: string[]): Promise<void> {
  const engine = (option(args, "--engine") ?? "vmalab") as Engine;
  if (!ENGINES.includes(engine)) throw new Error(`unknown engine '${engine}' (${ENGINES.join(", ")})`);
  const workload = option(args, "--workload") ?? "int";
  const iters = option(args, "--iterations") ?? args.find((a) => /^\d+$/.test(a));
  const kernel = option(args, "--kernel");
  const image = kernelImage(workload, iters === undefined ? undefined : Number(iters), kernel);
  let m: KernelMeasurement;
  if (engine === "vmalab" || engine === "vmalab-interp") {
    CPU.jitByDefault = engine === "vmalab";
    const r = runKernelOnVmalab(image);
    m = { engine, workload, output: r.output, instructions: r.instructions, cycles: r.cycles, secs: r.secs, cpuSecs: r.cpuSecs, rssMiB: 0 };
  } else {
    const r = await runKernelOnV86(image, engine === "v86-jit");
    m = { engine, workload, output: r.output, v86Instructions: r.v86Instructions, secs: r.secs, cpuSecs: r.cpuSecs, rssMiB: 0 };
  }
  m.rssMiB = process.resourceUsage().maxRSS / 1024;
  if (args.includes("--json")) {
    console.log(JSON.stringify(m));
  } else {
    const count = m.instructions ?? m.v86Instructions ?? 0;
    console.log(`${engine} ${workload}: ${m.output.trim()}`);
    console.log(`  instructions ${count}${m.instructions === undefined ? " (v86's counter)" : ""}, ${m.cpuSecs.toFixed(3)} s CPU, ${m.secs.toFixed(3)} s wall`);
    console.log(`  MIPS (CPU time) ${(count / m.cpuSecs / 1e6).toFixed(1)}, peak RSS ${m.rssMiB.toFixed(1)} MiB`);
  }
}

try {
  await main(process.argv.slice(2));
  process.exit(0); // v86 leaves timers behind
} catch (e) {
  console.error(`bench:cpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
