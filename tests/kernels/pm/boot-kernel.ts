// Boots a multiboot test kernel on the real Machine (devices, multiboot loader) and
// collects what it writes to the debug port 0xE9 and COM1 until it writes the
// isa-debug-exit port, halts, or the cycle budget runs out.
import { Machine, RunResult, DETERMINISTIC_EPOCH } from "../../../emulator/machine/machine.ts";

export interface KernelRun {
  output: string;
  /** isa-debug-exit status ((V << 1) | 1), or null. */
  exitStatus: number | null;
  /** How the run ended: "exit", "halted", "budget", "triple-fault", "stopped", "idle", "output-limit". */
  end: string;
  resets: number;
  cycles: number;
}

/** Output kept per run; a kernel looping in its fault handler stops at this size. */
const OUTPUT_LIMIT = 64 * 1024;

/** Runs `image` for at most maxCycles guest cycles (or until it printed OUTPUT_LIMIT bytes). */
export function bootKernel(image: Uint8Array, maxCycles = 500_000_000): KernelRun {
  let output = "";
  const onByte = (b: number) => {
    if (output.length < OUTPUT_LIMIT) output += String.fromCharCode(b);
  };
  const m = new Machine({
    memorySize: 16 << 20,
    startTime: DETERMINISTIC_EPOCH,
    onDebugOutput: onByte,
    onConsoleOutput: onByte,
  });
  m.loadKernel(image);
  let end = "budget";
  let total = 0;
  while (total < maxCycles) {
    const before = m.cycles;
    const r = m.runSlice(5_000_000);
    total += Math.max(0, m.cycles - before);
    if (r === RunResult.Exited) { end = "exit"; break; }
    if (r === RunResult.Halted) { end = "halted"; break; }
    if (r === RunResult.TripleFault) { end = "triple-fault"; break; }
    if (r === RunResult.Stopped) { end = "stopped"; break; }
    if (r === RunResult.Idle) { end = "idle"; break; }
    if (output.length >= OUTPUT_LIMIT) { end = "output-limit"; break; }
    if (m.cycles <= before) total += 5_000_000; // a reset restarted the clock
  }
  return { output, exitStatus: m.exitStatus, end, resets: m.resets, cycles: m.cycles };
}
