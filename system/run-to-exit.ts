// One guest program run to its end with nothing attached: the system booted
// with the program as init, its console output collected, its wait status
// returned. For tools and tests that need a program's output (the userland
// build lists busybox's applets this way); the CLI's `run` adds the terminal,
// the monitor and pacing around the same system.

import { RunResult } from "../emulator/machine/machine.ts";
import { VmalabSystem, type SystemOptions } from "./system.ts";

export interface ProgramRun {
  /** What the program wrote to the console, with the tty's CR-LF turned back into LF. */
  output: string;
  /** Its wait status (exit code << 8, or the signal that killed it). */
  waitStatus: number;
  /** Guest cycles from power-on to the end. */
  cycles: number;
}

/**
 * Boots a system whose init is argv and runs it until init exits (or the
 * machine stops some other way, or maxCycles pass: both throw, naming the
 * output so far). Options are SystemOptions without the console and exit hooks.
 */
export function runToExit(argv: string[], options: Omit<SystemOptions, "initArgv" | "onConsoleOutput" | "onInitExit">, maxCycles = 66_000_000 * 600): ProgramRun {
  let out = "";
  let waitStatus = -1;
  const sys = new VmalabSystem({
    deterministic: true,
    cmdline: "quiet",
    ...options,
    initArgv: argv,
    onConsoleOutput: (b) => (out += String.fromCharCode(b)),
    onInitExit: (s) => (waitStatus = s),
  });
  const m = sys.machine;
  while (waitStatus < 0) {
    const r = m.runSlice(10_000_000);
    if (r === RunResult.Exited) break;
    if (r === RunResult.Idle) m.clock.cycles = m.idleUntil === Infinity ? m.clock.cycles + 660_000 : m.idleUntil;
    else if (r !== RunResult.Budget) throw new Error(`${argv.join(" ")}: the machine stopped (run result ${r}); output so far:\n${out}`);
    if (m.cycles > maxCycles) throw new Error(`${argv.join(" ")}: still running after ${maxCycles} cycles; output so far:\n${out}`);
  }
  return { output: out.replace(/\r\n/g, "\n"), waitStatus, cycles: m.cycles };
}
