// Drives one guest in the worker through the monitor's debugger: its run()
// is Machine.start() (slices of ~8 ms sized from the measured speed,
// yielding to the worker's event loop between them, idle time paced to the
// wall clock) plus stops for the monitor (stop/cont/step/break/pf break).
// This class adds pause/resume and turns the end of a run, a host exception
// or a kernel panic into one report.

import type { Debugger } from "../../emulator/gdb/debugger.ts";

export type RunEnd =
  | { kind: "exit"; status: number }
  | { kind: "triple-fault" }
  | { kind: "panic"; message: string }
  | { kind: "exception"; message: string };

export class RunLoop {
  private started = false;
  private ended = false;

  /** onEnd: the guest can no longer run (exit, triple fault, panic, host exception). */
  constructor(
    private readonly dbg: Debugger,
    private readonly onEnd: (end: RunEnd) => void,
  ) {
    // The page always has a monitor tab: a dead CPU (HLT with IF=0) stops there, as with QEMU's monitor.
    dbg.stopOnHalt = true;
  }

  /** True while the guest runs (not paused, not stopped by the monitor, not ended). */
  get running(): boolean {
    return this.started && !this.ended && !this.dbg.stopped;
  }

  /** Starts the run (once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.dbg.run().then(
      (outcome) => {
        if (this.ended) return;
        this.ended = true;
        this.onEnd(outcome.kind === "exit" ? { kind: "exit", status: outcome.status } : { kind: "triple-fault" });
      },
      (e: unknown) => {
        if (this.ended) return;
        this.ended = true;
        const message = e instanceof Error ? e.message : String(e);
        if (e instanceof Error && e.name === "KernelPanic") this.onEnd({ kind: "panic", message });
        else this.onEnd({ kind: "exception", message: e instanceof Error && e.stack ? e.stack : message });
      },
    );
  }

  /** Stops at the next instruction boundary (as the monitor's stop). */
  pause(): void {
    this.dbg.stop();
  }

  /**
   * Pauses and resolves once the guest has stopped (the run loop's next
   * turn), so that a resume() afterwards is not taken before the stop.
   */
  async pauseNow(): Promise<void> {
    this.pause();
    while (this.started && !this.ended && !this.dbg.stopped) await new Promise((r) => setTimeout(r, 1));
  }

  /** Continues after a pause or a monitor stop. */
  resume(): void {
    this.dbg.cont();
  }

  /** Stops for good (the guest is being replaced); its run loop then waits forever and is collected. */
  dispose(): void {
    this.ended = true;
    this.dbg.stop();
  }
}
