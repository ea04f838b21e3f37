// Runs guest benchmarks for the benchmark panel: for each design, a fresh
// headless guest boots to the shell prompt, runs each benchmark program as a
// shell command and its "bench <name> <param> ops=.. ns=.. ns_per_op=.."
// lines (userland/bench/README.md, parsed by bench/result-line.ts) become results. Guest time is cycle time,
// so cycles per op = ns_per_op * CPU_HZ / 1e9. Slices yield between them so
// the worker keeps answering the page.

import { CPU_HZ } from "../../emulator/machine/clock.ts";
import { RunResult } from "../../emulator/machine/machine.ts";
import type { BenchResult } from "../components/bench-chart.ts";
import type { Guest, GuestHooks } from "./guest.ts";
import type { MmDesign } from "../protocol.ts";
import { parseResultLines } from "../../bench/result-line.ts";

/** The shell's prompt ends the text: busybox ash's "~ # ", then its cursor-position query (ESC [6n) when no input is pending. */
const AT_PROMPT = /# (\x1b\[6n)?$/;
const SLICE = 2_000_000;
/** Guest cycles a boot or one benchmark may take before it counts as hung (60 guest seconds). */
const LIMIT = 60 * CPU_HZ;

export interface BenchPlan {
  benchmarks: string[];
  designs: MmDesign[];
  /** Boots a guest for a design with console hooks. */
  boot(design: MmDesign, hooks: GuestHooks): Guest;
  onProgress(done: number, total: number, label: string): void;
}

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

/** Runs the plan; resolves with every parsed result. Rejects with a readable Error when a guest hangs or fails. */
export async function runBenchPlan(plan: BenchPlan): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const total = plan.designs.length * plan.benchmarks.length;
  let done = 0;
  for (const design of plan.designs) {
    let text = "";
    const guest = plan.boot(design, { onConsoleOutput: (b) => (text += String.fromCharCode(b)), onKernelLog: () => {} });
    const m = guest.machine;
    const runUntil = async (pred: () => boolean, what: string) => {
      const end = m.cycles + LIMIT;
      while (!pred()) {
        const r = m.runSlice(SLICE);
        if (r === RunResult.Exited || r === RunResult.Halted || r === RunResult.TripleFault)
          throw new Error(`${what} (mm=${design}): the guest stopped`);
        if (r === RunResult.Idle && m.idleUntil === Infinity && !pred())
          throw new Error(`${what} (mm=${design}): the guest waits for input`);
        if (m.cycles > end) throw new Error(`${what} (mm=${design}): no result after 60 guest seconds`);
        await yieldNow();
      }
    };
    plan.onProgress(done, total, `booting mm=${design}`);
    await runUntil(() => AT_PROMPT.test(text), "boot");
    for (const bench of plan.benchmarks) {
      plan.onProgress(done, total, `${bench} mm=${design}`);
      text = "";
      m.sendInput(new TextEncoder().encode(`${bench}\n`));
      await runUntil(() => AT_PROMPT.test(text) && text.includes("\n"), bench);
      const parsed = parseResultLines(text);
      if (parsed.errors.length > 0) throw new Error(parsed.errors[0].line);
      if (parsed.results.length === 0) throw new Error(`${bench} (mm=${design}) printed no result line`);
      for (const r of parsed.results) {
        const benchmark = r.param === "-" ? r.name : `${r.name} ${r.param}`;
        results.push({ benchmark, design, cyclesPerOp: Math.round((r.nsPerOp * CPU_HZ) / 1e9) });
      }
      done++;
    }
  }
  plan.onProgress(done, total, "done");
  return results;
}
