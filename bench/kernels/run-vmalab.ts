// Runs one benchmark kernel on vmalab's Machine (the real multiboot loader and devices,
// as `vmalab` boots a kernel) until it halts, timing only the guest's execution.

import { Machine, RunResult, DETERMINISTIC_EPOCH } from "../../emulator/machine/machine.ts";
import { KERNEL_RAM } from "./workloads.ts";

export interface KernelTiming {
  /** What the kernel printed on COM1 ("<name> <checksum>\n" when it finished). */
  output: string;
  /** Wall seconds and host CPU seconds (user + system) of the guest run. */
  secs: number;
  cpuSecs: number;
}

export interface VmalabKernelRun extends KernelTiming {
  instructions: number;
  cycles: number;
}

/** Boots `image`, runs it to its HLT and returns output, counts and host time; throws if it ends any other way. */
export function runKernelOnVmalab(image: Uint8Array): VmalabKernelRun {
  let output = "";
  const m = new Machine({ memorySize: KERNEL_RAM, startTime: DETERMINISTIC_EPOCH, tripleFault: "stop", onConsoleOutput: (b) => (output += String.fromCharCode(b)) });
  m.loadKernel(image);
  const t0 = process.hrtime.bigint();
  const u0 = process.cpuUsage();
  let r: RunResult;
  do r = m.runSlice(50_000_000);
  while (r === RunResult.Budget);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const u = process.cpuUsage(u0);
  if (r !== RunResult.Halted || !output.endsWith("\n")) throw new Error(`vmalab: kernel did not finish (run result ${r}, output ${JSON.stringify(output)})`);
  return { output, secs, cpuSecs: (u.user + u.system) / 1e6, instructions: m.instructions, cycles: m.cycles };
}
