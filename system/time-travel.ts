// The monitor's time travel (record, rewind, goto, reverse-step), for the CLI
// and the page's worker alike: a Timeline (system/timeline.ts) over the
// session's system, with the console's input routed through it so that it is
// recorded, and its errors as the monitor's one-line CommandErrors.

import type { VmalabSystem } from "./system.ts";
import { Timeline } from "./timeline.ts";
import { SnapshotError } from "./snapshot/system-snapshot.ts";
import type { FaultFilter, TimeTravel } from "../monitor/monitor.ts";
import { CommandError } from "../monitor/format.ts";
import { formatTrace, type FaultTracer, type FaultTraceEntry } from "../monitor/fault-trace.ts";

/** A page fault of the recording and where it happened: the instructions retired before its instruction. */
interface LoggedFault {
  entry: FaultTraceEntry;
  instructions: number;
}

const MIB = 1048576;

export class SystemTimeTravel implements TimeTravel {
  private timeline: Timeline | null = null;
  private readonly faults: LoggedFault[] = [];
  private readonly onFault = (entry: FaultTraceEntry): void => {
    if (!this.timeline || this.timeline.replaying) return;
    // A fault the CPU raised happened just before the instruction it was raised at; one the kernel
    // took on a user buffer (eip null), inside the system call now running.
    const m = this.sys.machine;
    this.faults.push({ entry, instructions: entry.eip !== null ? m.cpu.lastExceptionInstructions : m.instructions });
  };

  private tracer: FaultTracer | null = null;

  constructor(private readonly sys: VmalabSystem) {}

  /** Where the recording's page faults come from (the monitor's tracer): goto fault needs it. */
  logFaultsFrom(tracer: FaultTracer): void {
    this.tracer = tracer;
  }

  /** True while a goto re-executes: the console output then was shown before. */
  get replaying(): boolean {
    return this.timeline?.replaying ?? false;
  }

  /** Console input from the host: recorded when recording. */
  sendInput(bytes: Uint8Array): void {
    if (this.timeline) this.timeline.sendInput(bytes);
    else this.sys.machine.sendInput(bytes);
  }

  /** The host terminal's size for the console (SIGWINCH on a change): recorded when recording. */
  setConsoleSize(rows: number, cols: number): void {
    if (this.timeline) this.timeline.setConsoleSize(rows, cols);
    else this.sys.setConsoleSize(rows, cols);
  }

  record(on: boolean): string {
    this.faults.length = 0;
    if (!on) {
      this.timeline?.close();
      this.timeline = null;
      this.tracer?.removeSink(this.onFault);
      return "recording off";
    }
    this.timeline?.close();
    this.timeline = oneLine(() => new Timeline(this.sys));
    this.tracer?.attach();
    this.tracer?.removeSink(this.onFault);
    this.tracer?.addSink(this.onFault);
    return `recording from cycle ${this.sys.machine.cycles}`;
  }

  /** After the machine's state was replaced (loadvm): a recording starts again from the new state. */
  restarted(): void {
    if (this.timeline) this.record(true);
  }

  status(): string {
    if (!this.timeline) return "not recording (record on)";
    const s = this.timeline.status();
    return `recording since cycle ${s.start}: ${s.snapshots} snapshots (${(s.bytes / MIB).toFixed(1)} MiB), one every ${s.interval} instructions; ${s.inputs} console inputs, ${this.faults.length} page faults`;
  }

  gotoCycle(n: number): void {
    oneLine(() => this.recording().gotoCycle(n));
    this.forgetFuture();
  }

  gotoInstruction(n: number): void {
    oneLine(() => this.recording().gotoInstruction(n));
    this.forgetFuture();
  }

  gotoFault(n: number, filter: FaultFilter): string {
    this.recording();
    const matching = this.faults.filter(({ entry: e }) =>
      (filter.pid === undefined || e.pid === filter.pid) && (filter.decision === undefined || e.decision === filter.decision) &&
      (filter.seq === undefined || e.seq === filter.seq) &&
      (!filter.user || (e.eip !== null && (e.error & 4) !== 0)));
    if (filter.seq !== undefined && matching.length === 0) throw new CommandError(`goto fault: fault ${filter.seq} is not in the recording (it happened before record on, or after where the machine is now)`);
    if (n < 1 || n > matching.length) throw new CommandError(`goto fault: ${matching.length} such page faults recorded so far, no number ${n}`);
    const f = matching[n - 1];
    this.gotoInstruction(f.instructions);
    return formatTrace(f.entry);
  }

  reverseContinue(stop: () => boolean): boolean {
    const hit = oneLine(() => this.recording().reverseUntil(stop));
    this.forgetFuture();
    return hit;
  }

  /** Faults after the machine's position have not happened in the new future. */
  private forgetFuture(): void {
    const now = this.sys.machine.instructions;
    let keep = this.faults.length;
    while (keep > 0 && this.faults[keep - 1].instructions >= now) keep--;
    this.faults.length = keep;
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
