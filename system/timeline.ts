// Time travel for a running system. vmalab is deterministic: from the same
// state and the same input at the same guest cycles, it runs the same way. So
// going back needs no log of execution, only of input: a Timeline keeps
// whole-system snapshots taken every `interval` guest instructions (between
// slices, memory bounded: going back costs at most that many instructions of
// re-execution, while idle time, which the machine skips, costs nothing) and every byte the host typed on the console with the cycle
// it arrived at. Going to an earlier point restores the nearest snapshot at or
// before it and runs forward, giving the recorded input (console bytes and
// console size changes, which send SIGWINCH) back at the same cycles, to the
// first instruction boundary at or after the target cycle (or instruction
// count).
//
// Going back starts a new future: recorded input and snapshots after the
// point are dropped, and what the host types next is the new input.
// Limits: shared host folders and run's paravirtual ports talk to the host
// during the run, outside the snapshot, so a Timeline refuses them.

import type { VmalabSystem } from "./system.ts";
import { RunResult } from "../emulator/machine/machine.ts";
import { SnapshotError, restoreStateWithoutRam, saveStateWithoutRam } from "./snapshot/system-snapshot.ts";
import { RamHistory } from "./ram-history.ts";

export interface TimelineOptions {
  /** Guest instructions between snapshots (default 20 M: about a quarter of a second to re-execute). */
  interval?: number;
  /** Bytes of snapshots kept at most; past it every other one is dropped and the interval doubles (default 512 MiB). */
  maxBytes?: number;
}

interface Point {
  cycles: number;
  instructions: number;
  /** Everything but the contents of RAM (system-snapshot.ts saveStateWithoutRam). */
  state: Uint8Array;
  /** The RAM's pages, in `ram`. */
  pages: Int32Array;
}

/** Where a goto lands: cycles and instructions since boot. */
export interface TimelinePosition {
  cycles: number;
  instructions: number;
}

export class Timeline {
  private readonly points: Point[] = [];
  private readonly ram = new RamHistory();
  /** The host's input in order: console bytes, or a console size (rows, cols). */
  private readonly inputs: ({ cycles: number; bytes: Uint8Array } | { cycles: number; rows: number; cols: number })[] = [];
  private interval: number;
  private readonly maxBytes: number;
  private nextAt = 0;
  /** True while a goto runs the machine forward: console output then was seen before. */
  replaying = false;

  /**
   * Starts recording `sys` now (its first snapshot). SnapshotError when the
   * system talks to the host outside the snapshot (host folders, run's ports).
   */
  constructor(
    private readonly sys: VmalabSystem,
    options: TimelineOptions = {},
  ) {
    if (sys.hostfs) throw new SnapshotError("cannot record with shared host folders (-v): their files are outside the snapshot");
    if (sys.options.vports?.some((p) => p !== null)) throw new SnapshotError("cannot record under run: its standard streams are outside the snapshot");
    this.interval = options.interval ?? 20_000_000;
    this.maxBytes = options.maxBytes ?? 512 * 1048576;
    this.takePoint();
    sys.machine.afterSlice = () => {
      if (!this.replaying && this.sys.machine.instructions >= this.nextAt) this.takePoint();
    };
  }

  /** Stops recording; snapshots and input are dropped. */
  close(): void {
    this.sys.machine.afterSlice = null;
    this.drop(0);
    this.inputs.length = 0;
  }

  /** Host input for the console: recorded with its cycle, then given to the machine. */
  sendInput(bytes: Uint8Array | readonly number[]): void {
    this.inputs.push({ cycles: this.sys.machine.cycles, bytes: Uint8Array.from(bytes) });
    this.sys.machine.sendInput(bytes);
  }

  /** The host terminal's new size for the console (SIGWINCH on a change): recorded with its cycle, then given to the system. */
  setConsoleSize(rows: number, cols: number): void {
    this.inputs.push({ cycles: this.sys.machine.cycles, rows, cols });
    this.sys.setConsoleSize(rows, cols);
  }

  /** The earliest cycle a goto can reach, the number of snapshots kept and their bytes. */
  status(): { start: number; snapshots: number; bytes: number; interval: number; inputs: number } {
    return {
      start: this.points[0].cycles,
      snapshots: this.points.length,
      bytes: this.bytes(),
      interval: this.interval,
      inputs: this.inputs.length,
    };
  }

  /**
   * Moves the machine to the first instruction boundary at or after guest
   * cycle `target`, which must lie between the first snapshot and now.
   * Returns where it landed; SnapshotError (nothing changed) when out of range.
   */
  gotoCycle(target: number): TimelinePosition {
    const m = this.sys.machine;
    if (target > m.cycles) throw new SnapshotError(`cycle ${target} is in the future (now ${m.cycles}); use cont or step`);
    if (target < this.points[0].cycles) throw new SnapshotError(`cycle ${target} is before the recording began (cycle ${this.points[0].cycles})`);
    let at = this.points.length - 1;
    while (this.points[at].cycles > target) at--;
    return this.replay(at, () => m.cycles >= target, () => target - m.cycles, { commit: true, cycleTarget: target });
  }

  /** Moves the machine to the boundary after `n` instructions since boot (n between the first snapshot and now). */
  gotoInstruction(n: number): TimelinePosition {
    const m = this.sys.machine;
    if (n > m.instructions) throw new SnapshotError(`instruction ${n} is in the future (now ${m.instructions}); use step`);
    if (n < this.points[0].instructions) throw new SnapshotError(`instruction ${n} is before the recording began (${this.points[0].instructions})`);
    let at = this.points.length - 1;
    while (this.points[at].instructions > n) at--;
    // Every instruction takes at least a cycle, so a budget of k cycles runs at most k instructions.
    return this.replay(at, () => m.instructions >= n, () => Math.max(1, n - m.instructions), { commit: true });
  }

  /**
   * Reverse continue: moves the machine to the latest instruction boundary
   * before now at which `stop()` held (a breakpoint at EIP), by re-executing
   * the recording one instruction at a time, from the latest snapshot back.
   * Returns true there; false, at the start of the recording, when no
   * earlier boundary qualifies. Costs a single-stepped replay of each
   * interval searched (npm run bench:snapshot measures it).
   */
  reverseUntil(stop: () => boolean): boolean {
    const m = this.sys.machine;
    let end = m.instructions;
    for (let at = this.points.length - 1; at >= 0; at--) {
      if (this.points[at].instructions >= end) continue;
      let found = -1;
      const stopAt = end;
      this.replay(at, () => m.instructions >= stopAt, () => 1, {
        each: () => {
          if (stop()) found = m.instructions;
        },
      });
      if (found >= 0) {
        this.gotoInstruction(found);
        return true;
      }
      end = this.points[at].instructions;
    }
    this.gotoInstruction(this.points[0].instructions);
    return false;
  }

  /**
   * Restores point `at` and runs until `done`, slices bounded by `budget()`
   * and by the next recorded input, which is given at its cycle; `each` runs
   * before every slice. Idle time is skipped to the next event, the next
   * input or `cycleTarget`. With `commit`, the future is dropped then (a
   * goto); without, the recording stays whole (a search that goes on).
   */
  private replay(
    at: number, done: () => boolean, budget: () => number,
    how: { commit?: boolean; cycleTarget?: number; each?: () => void },
  ): TimelinePosition {
    const m = this.sys.machine;
    const p = this.points[at];
    // A stop the host asked for and the machine has not taken yet (the monitor's, the page's
    // pause) is held through the re-execution and taken where it lands.
    const stopAsked = m.cpu.stopRequested;
    m.cpu.stopRequested = false;
    this.replaying = true;
    try {
      restoreStateWithoutRam(this.sys, p.state);
      this.ram.restore(p.pages, m.mem.ram);
      m.unpace(); // run forward as fast as possible: the cycles things happen at do not depend on pacing
      let next = this.inputs.findIndex((i) => i.cycles >= p.cycles);
      if (next < 0) next = this.inputs.length;
      for (;;) {
        while (next < this.inputs.length && this.inputs[next].cycles <= m.cycles && !done()) {
          const i = this.inputs[next++];
          if ("bytes" in i) m.sendInput(i.bytes);
          else this.sys.setConsoleSize(i.rows, i.cols);
        }
        if (done()) break;
        how.each?.();
        const until = next < this.inputs.length ? this.inputs[next].cycles : Infinity;
        const r = m.runSlice(Math.max(1, Math.min(budget(), until - m.cycles, 10_000_000)));
        if (r === RunResult.Idle) {
          // Halted until an event: no instruction runs meanwhile.
          const wake = Math.min(until, m.idleUntil, how.cycleTarget ?? Infinity);
          if (wake === Infinity) break; // nothing can wake it: the recorded run ended here too
          m.clock.cycles = Math.max(m.clock.cycles, wake);
        } else if (r !== RunResult.Budget) {
          break; // exited, stopped, halted: the recorded run ended there too
        } else if (how.each && m.cpu.halted) {
          // Stepping a halted CPU: it runs nothing until its next clock event (or input), so go there.
          const wake = Math.min(until, m.clock.nextEvent, how.cycleTarget ?? Infinity);
          if (wake > m.clock.cycles) m.clock.cycles = wake;
        }
      }
      if (how.commit) {
        this.inputs.length = next;
        this.drop(at + 1);
        this.nextAt = p.instructions + this.interval;
      }
    } finally {
      this.replaying = false;
      if (stopAsked) m.stop();
    }
    return { cycles: m.cycles, instructions: m.instructions };
  }

  private takePoint(): void {
    const m = this.sys.machine;
    this.points.push({ cycles: m.cycles, instructions: m.instructions, state: saveStateWithoutRam(this.sys), pages: this.ram.capture(m.mem.ram) });
    this.nextAt = m.instructions + this.interval;
    while (this.bytes() > this.maxBytes && this.points.length > 2) {
      // Thin out: keep the first, the last and every other one between; snapshots come half as often.
      for (let i = this.points.length - 2; i >= 1; i -= 2) this.ram.release(this.points.splice(i, 1)[0].pages);
      this.interval *= 2;
    }
  }

  /** Drops the points from index `from` on. */
  private drop(from: number): void {
    for (const p of this.points.splice(from)) this.ram.release(p.pages);
  }

  private bytes(): number {
    return this.points.reduce((n, p) => n + p.state.length + p.pages.byteLength, this.ram.bytes);
  }
}
