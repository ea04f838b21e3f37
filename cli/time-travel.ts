// The monitor's time travel in the CLI (record, rewind, goto, reverse-step):
// a Timeline (system/timeline.ts) over the session's system, with the
// console's input routed through it so that it is recorded, and its errors
// as the monitor's one-line CommandErrors.

import type { VmalabSystem } from "../system/system.ts";
import { Timeline } from "../system/timeline.ts";
import { SnapshotError } from "../system/snapshot/system-snapshot.ts";
import type { TimeTravel } from "../monitor/monitor.ts";
import { CommandError } from "../monitor/format.ts";

const MIB = 1048576;

export class CliTimeTravel implements TimeTravel {
  private timeline: Timeline | null = null;

  constructor(private readonly sys: VmalabSystem) {}

  /** True while a goto re-executes: the console output then was shown before. */
  get replaying(): boolean {
    return this.timeline?.replaying ?? false;
  }

  /** Console input from the host: recorded when recording. */
  sendInput(bytes: Uint8Array): void {
    if (this.timeline) this.timeline.sendInput(bytes);
    else this.sys.machine.sendInput(bytes);
  }

  record(on: boolean): string {
    if (!on) {
      this.timeline?.close();
      this.timeline = null;
      return "recording off";
    }
    this.timeline?.close();
    this.timeline = oneLine(() => new Timeline(this.sys));
    return `recording from cycle ${this.sys.machine.cycles}`;
  }

  /** After the machine's state was replaced (loadvm): a recording starts again from the new state. */
  restarted(): void {
    if (this.timeline) this.record(true);
  }

  status(): string {
    if (!this.timeline) return "not recording (record on)";
    const s = this.timeline.status();
    return `recording since cycle ${s.start}: ${s.snapshots} snapshots (${(s.bytes / MIB).toFixed(1)} MiB), one every ${s.interval} instructions; ${s.inputs} console inputs`;
  }

  gotoCycle(n: number): void {
    oneLine(() => this.recording().gotoCycle(n));
  }

  gotoInstruction(n: number): void {
    oneLine(() => this.recording().gotoInstruction(n));
  }

  private recording(): Timeline {
    if (!this.timeline) throw new CommandError("not recording: record on first (going back needs the snapshots it keeps)");
    return this.timeline;
  }
}

function oneLine<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof SnapshotError ? new CommandError(e.message) : e;
  }
}
