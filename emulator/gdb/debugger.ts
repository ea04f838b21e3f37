// The debugger core shared by the monitor and the gdb stub: stop/continue,
// single steps, instruction breakpoints, write watchpoints, and stopping at a
// guest exception before it is delivered. It owns the run loop (run()), which
// drives Machine.start() at full speed while nothing needs watching and steps
// one instruction at a time while breakpoints or watchpoints exist.
//
// Speed: the CPU has no instruction-breakpoint facility, so with a breakpoint
// or watchpoint set every instruction is a separate Machine.runSlice call
// (roughly 10-30x slower than the block-running loop). Exception stops use the
// CPU's holdExceptions aid and cost nothing per instruction.

import { Machine, RunResult, type RunOutcome } from "../machine/machine.ts";
import { CPU, S, type HeldException } from "../cpu/cpu.ts";
import { WatchFrames } from "./watch-frames.ts";

/** Why the machine stopped (the debugger stays stopped until cont/step). */
export type StopReason =
  | { kind: "request" }
  | { kind: "step" }
  | { kind: "breakpoint"; id: number; eip: number }
  | { kind: "watchpoint"; id: number; lin: number; len: number; old: number; value: number }
  | { kind: "exception"; vector: number; errorCode: number; eip: number; cr2: number }
  | { kind: "exit"; status: number }
  | { kind: "triple-fault" }
  /** HLT with interrupts disabled: a dead CPU (the run ends unless stopOnHalt). */
  | { kind: "halted"; cs: number; eip: number };

export interface Breakpoint {
  id: number;
  eip: number;
}

export interface Watchpoint {
  id: number;
  /** Linear address and length (1, 2 or 4 bytes) of the watched range. */
  lin: number;
  len: number;
  /** Value before the last step (little-endian), -1 when unmapped. */
  value: number;
}


/** Outcome of advance(). */
export type Advance = "budget" | "stopped" | "idle" | "halted" | "exit" | "triple-fault";

/** Instructions executed per host turn in stepping mode before yielding to the event loop. */
const STEPS_PER_TURN = 20_000;
/** Guest cycles per host turn in stepping mode. */
const SLICE = 2_000_000;

export class Debugger {
  readonly cpu: CPU;
  readonly breakpoints = new Map<number, Breakpoint>();
  readonly watchpoints = new Map<number, Watchpoint>();
  private nextId = 1;
  /** True while stopped (by a request, a step, a breakpoint, ...). */
  stopped = false;
  lastStop: StopReason | null = null;
  /** The exception held back at the last exception stop; delivered by the next cont/step. */
  held: HeldException | null = null;
  /**
   * Decides, for a guest exception about to be delivered, whether to stop
   * (true) or deliver it and go on (false). null: exceptions are never stopped at.
   */
  exceptionFilter: ((e: HeldException) => boolean) | null = null;
  /**
   * A dead CPU (HLT with interrupts disabled) stops in the debugger instead of
   * ending run(): set when a monitor or gdb is there to look at it.
   */
  stopOnHalt = false;
  private readonly stopListeners: ((r: StopReason) => void)[] = [];
  private readonly watchFrames: WatchFrames;
  /** Skip the breakpoint at this EIP once (we are resuming from it). */
  private skipBreakAt = -1;
  private pendingReason: StopReason | null = null;
  private wakeRun: (() => void) | null = null;
  private running = false;

  constructor(readonly machine: Machine) {
    this.cpu = machine.cpu;
    this.watchFrames = new WatchFrames(machine.cpu, machine.mem);
  }

  /** Registers a listener for every stop (monitor output, gdb stop replies). */
  onStop(cb: (r: StopReason) => void): () => void {
    this.stopListeners.push(cb);
    return () => {
      const i = this.stopListeners.indexOf(cb);
      if (i >= 0) this.stopListeners.splice(i, 1);
    };
  }

  /** Adds a breakpoint at EIP (an offset in CS; segments are flat in the kernel); returns it. */
  addBreakpoint(eip: number): Breakpoint {
    for (const b of this.breakpoints.values()) if (b.eip === eip >>> 0) return b;
    const b = { id: this.nextId++, eip: eip >>> 0 };
    this.breakpoints.set(b.id, b);
    this.modeChanged();
    return b;
  }

  /** Adds a write watchpoint on [lin, lin+len) (linear, current address space at each instruction). */
  addWatchpoint(lin: number, len = 4): Watchpoint {
    const w: Watchpoint = { id: this.nextId++, lin: lin >>> 0, len, value: -1 };
    w.value = this.readValue(w);
    this.watchpoints.set(w.id, w);
    this.armWatches();
    this.modeChanged();
    return w;
  }

  /** Deletes breakpoint or watchpoint `id` (every one when id is undefined); returns how many went. */
  delete(id?: number): number {
    let n = 0;
    if (id === undefined) {
      n = this.breakpoints.size + this.watchpoints.size;
      this.breakpoints.clear();
      this.watchpoints.clear();
    } else {
      if (this.breakpoints.delete(id)) n++;
      if (this.watchpoints.delete(id)) n++;
    }
    this.armWatches();
    return n;
  }

  /** Removes the breakpoint at eip (gdb z0); true if there was one. */
  removeBreakpointAt(eip: number): boolean {
    for (const b of this.breakpoints.values()) if (b.eip === eip >>> 0) return this.delete(b.id) > 0;
    return false;
  }

  /** Removes the watchpoint on lin (gdb z2); true if there was one. */
  removeWatchpointAt(lin: number): boolean {
    for (const w of this.watchpoints.values()) if (w.lin === lin >>> 0) return this.delete(w.id) > 0;
    return false;
  }

  /** True when a breakpoint is set at the current EIP (what reverse execution stops at). */
  atBreakpoint(): boolean {
    return this.breakpointAtEip() !== undefined;
  }

  private breakpointAtEip(): Breakpoint | undefined {
    const eip = this.cpu.eip >>> 0;
    for (const b of this.breakpoints.values()) if (b.eip === eip) return b;
    return undefined;
  }

  /**
   * What a backwards search (reverse-cont, gdb's bc) stops at, as a predicate
   * called at each instruction boundary of a re-execution, in order: true at
   * a breakpoint, or where a watched range holds another value than at the
   * boundary before (the instruction just done wrote it; going backwards, a
   * write of the same value goes unseen, where forward execution stops at any
   * write). A boundary earlier than the last (a re-execution starting from an
   * earlier snapshot), or a watch whose address now translates elsewhere (a
   * switch of address space), only sets the values compared against.
   */
  reverseStops(): () => boolean {
    const ws = [...this.watchpoints.values()];
    const prev = new Float64Array(ws.length);
    const prevPa = new Float64Array(ws.length);
    let last = Infinity;
    this.reverseWatchHit = null;
    return () => {
      const n = this.machine.instructions;
      let changed = false;
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i];
        const v = this.readValue(w);
        const pa = this.cpu.physAddrDebug(w.lin) * 0x1_0000_0000 + this.cpu.physAddrDebug(w.lin + w.len - 1);
        if (n >= last && pa === prevPa[i] && v !== prev[i] && !changed) {
          changed = true;
          // the search ends at the latest boundary it stopped at
          if (this.reverseWatchHit === null || n >= this.reverseWatchHit.at) this.reverseWatchHit = { at: n, reason: { kind: "watchpoint", id: w.id, lin: w.lin, len: w.len, old: prev[i], value: v } };
        }
        prev[i] = v;
        prevPa[i] = pa;
      }
      last = n;
      return changed || this.atBreakpoint();
    };
  }

  /** The latest watched change the last reverseStops predicate saw, and the instruction count after it. */
  private reverseWatchHit: { at: number; reason: StopReason } | null = null;

  /**
   * Why a backwards search with reverseStops stopped where the machine now is: the
   * watched value the instruction just done changed (the first of several), else the
   * breakpoint at EIP; a step when neither (the search found nothing).
   */
  reverseStopReason(): StopReason {
    const h = this.reverseWatchHit;
    if (h !== null && h.at === this.machine.instructions) return h.reason;
    const b = this.breakpointAtEip();
    return b !== undefined ? { kind: "breakpoint", id: b.id, eip: b.eip } : { kind: "step" };
  }

  /** True when every instruction must be checked (breakpoints or watchpoints exist). */
  get stepping(): boolean {
    return this.breakpoints.size > 0 || this.watchpoints.size > 0;
  }

  /** Stops the machine at the next instruction boundary (asynchronous when running). */
  stop(): void {
    if (this.stopped) return;
    if (!this.running) {
      this.enterStop({ kind: "request" });
      return;
    }
    this.stopSoon({ kind: "request" });
  }

  /** Makes the CPU stop at the next instruction boundary with this reason (safe inside device/kernel callbacks). */
  stopSoon(reason: StopReason): void {
    this.pendingReason = reason;
    this.machine.stop();
  }

  /**
   * Continues synchronously (delivering a held exception first) for at most
   * `cycles` guest cycles or until something stops the machine; stays stopped
   * afterwards (reason "request" if the budget ran out). For pf step and tests.
   */
  runUntilStop(cycles: number): StopReason {
    this.skipBreakAt = this.cpu.eip >>> 0;
    this.stopped = false;
    this.machine.resume();
    this.deliverHeld();
    this.advance(cycles);
    if (!this.stopped) this.enterStop({ kind: "request" });
    return this.lastStop!;
  }

  /** Leaves the stopped state; the run loop (run()) continues. */
  cont(): void {
    if (!this.stopped) return;
    this.skipBreakAt = this.cpu.eip >>> 0;
    this.stopped = false;
    this.machine.resume();
    this.deliverHeld();
    const w = this.wakeRun;
    this.wakeRun = null;
    w?.();
  }

  /**
   * Executes n instructions now (synchronously, the machine must be stopped),
   * honouring breakpoints after the first, watchpoints and exception stops.
   * Returns the stop reason (kind "step" when all n ran).
   */
  step(n = 1): StopReason {
    this.skipBreakAt = this.cpu.eip >>> 0;
    this.stopped = false;
    this.machine.resume();
    this.deliverHeld();
    this.runSteps(n, Infinity);
    if (!this.stopped) this.enterStop({ kind: "step" });
    return this.lastStop!;
  }

  /**
   * Runs up to `cycles` guest cycles synchronously (tests, pf step): stops early at
   * breakpoints, watchpoints, held exceptions, exit. Returns why it returned.
   */
  advance(cycles: number): Advance {
    if (this.stopped) return "stopped";
    this.cpu.holdExceptions(this.exceptionFilter !== null);
    if (this.stepping) {
      const end = this.machine.clock.cycles + cycles;
      for (;;) {
        const r = this.runSteps(STEPS_PER_TURN, end);
        if (r !== null) return r;
        if (this.machine.clock.cycles >= end) return "budget";
      }
    }
    const end = this.machine.clock.cycles + cycles;
    for (;;) {
      const r = this.afterSlice(this.machine.runSlice(end - this.machine.clock.cycles));
      if (r !== "budget" || this.machine.clock.cycles >= end) return r;
    }
  }

  /**
   * Drives the machine like Machine.start() until the guest exits or triple-faults,
   * staying stopped (without resolving) whenever the debugger is stopped. Call once.
   */
  async run(): Promise<RunOutcome> {
    this.running = true;
    try {
      for (;;) {
        if (this.stopped) {
          await new Promise<void>((resolve) => (this.wakeRun = resolve));
          continue;
        }
        this.cpu.holdExceptions(this.exceptionFilter !== null);
        if (this.stepping) {
          this.machine.unpace(); // stepping runs unpaced: drop the horizon start() left
          const r = this.advance(SLICE);
          if (r === "exit") return { kind: "exit", status: this.machine.exitStatus! };
          if (r === "triple-fault") return { kind: "triple-fault" };
          if (r === "halted") {
            const dead = this.deadCpu();
            this.enterStop(dead);
            if (this.stopOnHalt) continue;
            return dead;
          }
          await new Promise<void>((resolve) => setTimeout(resolve, r === "idle" ? 5 : 0));
          continue;
        }
          const outcome = await this.machine.start();
        if (outcome.kind === "halted") {
          this.enterStop(outcome);
          if (this.stopOnHalt) continue;
          return outcome;
        }
        if (outcome.kind !== "stopped") {
          this.enterStop(outcome.kind === "exit" ? { kind: "exit", status: outcome.status } : { kind: "triple-fault" });
          return outcome;
        }
        this.afterSlice(RunResult.Stopped);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * The machine's state was replaced (loadvm, time travel): a held exception
   * belonged to the old state; watchpoints are armed again on the new one.
   */
  machineReplaced(): void {
    this.held = null;
    this.watchFrames.forget();
    if (this.watchpoints.size > 0) this.armWatches();
  }

  /** Runs fn with no frame armed for a watchpoint (a snapshot written to a file must not hold them). */
  withoutWatches<T>(fn: () => T): T {
    if (this.watchpoints.size === 0) return fn();
    this.watchFrames.setRanges([]);
    try {
      return fn();
    } finally {
      this.armWatches();
    }
  }

  /** Exceptions stop the run loop now (call after changing exceptionFilter). */
  modeChanged(): void {
    this.cpu.holdExceptions(this.exceptionFilter !== null);
    // Leave machine.start() so the run loop can switch to stepping.
    if (this.running && !this.stopped && this.stepping) this.machine.stop();
  }

  // ---------------------------------------------------------------- internals

  private deadCpu(): { kind: "halted"; cs: number; eip: number } {
    const r = this.cpu.registers();
    return { kind: "halted", cs: r.seg[S.CS].sel, eip: r.eip };
  }

  private enterStop(r: StopReason): void {
    this.stopped = true;
    this.lastStop = r;
    for (const cb of [...this.stopListeners]) cb(r);
  }

  /** Handles a RunResult from runSlice/start; returns the Advance outcome. */
  private afterSlice(r: RunResult): Advance {
    switch (r) {
      case RunResult.Exited:
        this.enterStop({ kind: "exit", status: this.machine.exitStatus! });
        return "exit";
      case RunResult.TripleFault:
        this.enterStop({ kind: "triple-fault" });
        return "triple-fault";
      case RunResult.Idle:
        return "idle";
      case RunResult.Halted:
        return "halted";
      case RunResult.Stopped: {
        this.machine.resume();
        const e = this.cpu.takeException();
        if (e !== null && this.holdOrDeliver(e)) return "stopped";
        if (this.pendingReason) {
          const reason = this.pendingReason;
          this.pendingReason = null;
          this.enterStop(reason);
          return "stopped";
        }
        return "budget"; // an internal stop (mode switch) or an exception delivered: go on
      }
      default:
        return "budget";
    }
  }

  /** An exception stopped the CPU: hold it (stop) when the filter says so, else deliver it. True if stopped. */
  private holdOrDeliver(e: HeldException): boolean {
    if (this.exceptionFilter?.(e)) {
      this.held = e;
      this.enterStop({ kind: "exception", ...e });
      return true;
    }
    this.cpu.deliverException(e.vector, e.errorCode);
    return false;
  }

  private deliverHeld(): void {
    const h = this.held;
    this.held = null;
    if (h) this.cpu.deliverException(h.vector, h.errorCode);
  }

  /**
   * Steps up to n instructions (or until clock reaches `end`): breakpoint check
   * before each, watchpoint check after each. Returns null when the count or
   * the budget ran out, else the Advance outcome of a stop or an end.
   */
  private runSteps(n: number, end: number): Advance | null {
    const m = this.machine;
    const c = this.cpu;
    const clock = m.clock;
    c.holdExceptions(this.exceptionFilter !== null);
    this.machine.unpace(); // stepping runs unpaced: drop the horizon start() left
    for (let done = 0; done < n && clock.cycles < end; ) {
      const eip = c.eip >>> 0;
      if (this.breakpoints.size > 0 && eip !== this.skipBreakAt) {
        for (const b of this.breakpoints.values()) {
          if (b.eip === eip) {
            this.enterStop({ kind: "breakpoint", id: b.id, eip });
            return "stopped";
          }
        }
      }
      this.skipBreakAt = -1;
      if (this.watchpoints.size > 0) this.rearmIfMoved();
      const before = c.instructions;
      let budget = 1;
      if (c.halted) {
        const next = clock.nextEvent;
        budget = next === Infinity ? 1 : Math.max(1, next - clock.cycles + 1);
      }
      const r = m.runSlice(budget);
      if (c.instructions !== before || c.eip >>> 0 !== eip) done++;
      const a = this.afterSlice(r);
      if (a !== "budget") return a;
      if (this.watchpoints.size > 0 && this.checkWatches()) return "stopped";
    }
    return null;
  }

  private readValue(w: Watchpoint): number {
    let v = 0;
    for (let i = 0; i < w.len; i++) {
      const pa = this.cpu.physAddrDebug(w.lin + i);
      if (pa < 0) return -1;
      v += this.machine.mem.ram[pa] * 2 ** (8 * i);
    }
    return v;
  }

  /** Physical addresses of each watch's first and last byte at the last arming. */
  private armedAt = new Map<number, number>();

  /** Re-arms when a watched range's translation changed since the last arming (cheap when not). */
  private rearmIfMoved(): void {
    for (const w of this.watchpoints.values()) {
      const a = this.cpu.physAddrDebug(w.lin) * 0x1_0000_0000 + this.cpu.physAddrDebug(w.lin + w.len - 1);
      if (this.armedAt.get(w.id) !== a) {
        this.armWatches();
        return;
      }
    }
  }

  /** Arms the frames now backing every watched range (current page tables). */
  private armWatches(): void {
    this.armedAt.clear();
    for (const w of this.watchpoints.values()) {
      this.armedAt.set(w.id, this.cpu.physAddrDebug(w.lin) * 0x1_0000_0000 + this.cpu.physAddrDebug(w.lin + w.len - 1));
    }
    const ranges: { start: number; end: number }[] = [];
    for (const w of this.watchpoints.values()) {
      for (let i = 0; i < w.len; i++) {
        const pa = this.cpu.physAddrDebug(w.lin + i);
        if (pa >= 0 && pa < this.machine.mem.ramSize) ranges.push({ start: pa, end: pa + 1 });
      }
    }
    this.watchFrames.setRanges(ranges);
  }

  private checkWatches(): boolean {
    const hit = this.watchFrames.take();
    if (!hit) return false;
    for (const w of this.watchpoints.values()) {
      const value = this.readValue(w);
      let touched = false;
      for (let i = 0; i < w.len; i++) {
        const pa = this.cpu.physAddrDebug(w.lin + i);
        if (pa >= hit.pa && pa < hit.pa + hit.size) touched = true;
      }
      if (touched) {
        const old = w.value;
        w.value = value;
        this.enterStop({ kind: "watchpoint", id: w.id, lin: w.lin, len: w.len, old, value });
        return true;
      }
      w.value = value;
    }
    return false;
  }
}
