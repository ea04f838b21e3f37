// Runs one guest program as init on a freshly booted vmalab PC in
// deterministic mode and records what a benchmark needs: its console output,
// the guest cycles it took, the host wall time, and the memory manager's
// counters and profile at the end. Two runs of the same program with the same
// arguments and design give the same output, cycles and counters.

import { VmalabSystem } from "./system.ts";
import { RunResult } from "../emulator/machine/machine.ts";
import { CPU_HZ } from "../emulator/machine/clock.ts";
import type { MmDesignName } from "../kernel/mm/designs.ts";
import type { InitrdArchive } from "../kernel/boot.ts";

export interface GuestRunOptions {
  /** The built-in initramfs image (bench/initrd.ts reads the built one in Node). */
  initrd: Uint8Array;
  /** Guest RAM in bytes (default: the system's 128 MiB). */
  memorySize?: number;
  /** Give up after this many guest seconds (default 600). */
  maxGuestSeconds?: number;
  /** Called once the kernel has booted, before init runs (tests observe the kernel through it). */
  onBoot?: (sys: VmalabSystem) => void;
  /** Called after each slice of the run (a few million cycles; bench:cpu's --timeline samples there). */
  onSlice?: (sys: VmalabSystem) => void;
  /**
   * Called with each byte the console prints, as the guest's write prints it: inside the
   * kernel's write, where the machine's counts are those of the block the write began
   * (the same with and without the block compiler).
   */
  onConsoleOutput?: (byte: number, sys: VmalabSystem) => void;
  /** More kernel command-line words after `quiet mm=<design>` (never another mm=). */
  cmdline?: string;
  /** More cpio archives unpacked after the built-in image (`vmalab diff-designs --initrd`). */
  initrds?: InitrdArchive[];
}

export interface GuestRun {
  design: MmDesignName;
  argv: string[];
  /** Console output (CR LF as the tty wrote it), plus "[bench] ..." lines when the run was cut short. */
  output: string;
  /** Kernel log lines (printk), kept apart from the console. */
  kernelLog: string[];
  /** init's wait status, or null when the run was cut short. */
  status: number | null;
  /** Guest cycles from the end of the kernel's boot to init's exit. */
  cycles: number;
  /** Host wall milliseconds spent running the guest (boot not included). */
  wallMs: number;
  /** mmctx.counters.snapshot() at the end (counted from power-on). */
  counters: Record<string, number>;
  /** Profiler totals per kernel function at the end: [calls, cycles]. */
  prof: Record<string, [number, number]>;
}

const SLICE = 4_000_000;

/**
 * Boots a system with `mm=<design>` and runs argv[0] (a guest path) as init
 * until it exits. Never throws for guest trouble: a panic, a stop or the time
 * limit end the run with status null and the output so far.
 */
export function runGuest(design: MmDesignName, argv: string[], opts: GuestRunOptions): GuestRun {
  let output = "";
  let status: number | null = null;
  const kernelLog: string[] = [];
  let booted: VmalabSystem | null = null;
  const sys = new VmalabSystem({
    builtinInitrd: opts.initrd,
    memorySize: opts.memorySize,
    deterministic: true,
    cmdline: `quiet mm=${design}${opts.cmdline ? ` ${opts.cmdline}` : ""}`,
    initrds: opts.initrds,
    initArgv: argv,
    onConsoleOutput: (b) => {
      output += String.fromCharCode(b);
      if (booted !== null) opts.onConsoleOutput?.(b, booted);
    },
    onKernelLog: (line) => {
      kernelLog.push(line);
    },
    onInitExit: (s) => {
      status = s;
    },
  });
  booted = sys;
  opts.onBoot?.(sys);
  const m = sys.machine;
  const start = m.cycles;
  const limit = start + (opts.maxGuestSeconds ?? 600) * CPU_HZ;
  const t0 = performance.now();
  for (;;) {
    if (m.cycles > limit) {
      output += `[bench] guest time limit reached\n`;
      break;
    }
    let r: RunResult;
    try {
      r = m.runSlice(SLICE);
    } catch (e) {
      output += `[bench] ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`;
      break;
    }
    opts.onSlice?.(sys);
    if (r === RunResult.Budget) continue;
    if (r === RunResult.Idle) {
      if (m.idleUntil === Infinity) {
        output += `[bench] guest idle waiting for input\n`;
        break;
      }
      m.clock.cycles = m.idleUntil;
      continue;
    }
    if (r !== RunResult.Exited) output += `[bench] machine stopped (run result ${r})\n`;
    break;
  }
  const wallMs = performance.now() - t0;
  const ctx = sys.kernel.mmctx;
  const prof: Record<string, [number, number]> = {};
  for (const e of ctx.prof.entries.values()) prof[e.name] = [e.calls, e.cycles];
  return { design, argv, output, kernelLog, status, cycles: m.cycles - start, wallMs, counters: ctx.counters.snapshot(), prof };
}
