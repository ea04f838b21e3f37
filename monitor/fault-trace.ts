// The page-fault tracer: one entry per fault the kernel handled (who, where,
// why, what the kernel decided, which frames, how many guest cycles), the
// `pf break` filter that stops the machine at a matching #PF before the
// kernel sees it, and `pf step` that lets the kernel decide and shows it.
// Hooks: MmContext.onFault (after each decision) and the Debugger's
// exception filter (the CPU's holdExceptions aid).

import type { Kernel } from "../kernel/kernel.ts";
import type { FaultResult } from "../kernel/mm/context.ts";
import type { FaultDecision } from "../kernel/mm/counters.ts";
import { FAULT_DECISIONS } from "../kernel/mm/counters.ts";
import { Tf } from "../kernel/arch/trapframe.ts";
import { kpa } from "../kernel/arch/layout.ts";
import type { Machine } from "../emulator/machine/machine.ts";
import type { Debugger } from "../emulator/gdb/debugger.ts";
import type { HeldException } from "../emulator/cpu/cpu.ts";
import { faultDecide } from "../kernel/mm/fault-decision.ts";
import { DECISION_TEXT, monitorFaultAccess, vmaShort } from "./kernel-view.ts";
import { hex, hex8 } from "./format.ts";

/** One traced page fault (what `pf trace` prints and --pf-trace writes as a JSON line). */
export interface FaultTraceEntry {
  /** Sequence number since the tracer was attached. */
  seq: number;
  /** Guest cycle counter when the kernel finished the fault. */
  cycle: number;
  pid: number;
  comm: string;
  /** EIP of the faulting instruction; null for a fault the kernel took on a user buffer (uaccess). */
  eip: number | null;
  /** The faulting linear address (CR2). */
  address: number;
  /** The x86 error code: bit 0 present (protection), bit 1 write, bit 2 user. */
  error: number;
  /** The area the address falls in ("start-end perms name"), or null. */
  vma: string | null;
  decision: FaultDecision;
  /** Frames mapped before and after (-1: none). */
  oldPfn: number;
  newPfn: number;
  /** Guest cycles the kernel spent in handleMmFault for this fault. */
  cycles: number;
}

/** "present|not-present write|read user|kernel" for an x86 #PF error code. */
export function errorBits(error: number): string {
  return `${error & 1 ? "protection" : "not-present"} ${error & 2 ? "write" : "read"} ${error & 4 ? "user" : "kernel"}`;
}

/** The entry as one JSON object (a line of --pf-trace FILE). */
export function traceToJson(e: FaultTraceEntry): string {
  return JSON.stringify({
    seq: e.seq, cycle: e.cycle, pid: e.pid, comm: e.comm,
    eip: e.eip === null ? null : hex8(e.eip), address: hex8(e.address), error: e.error, errorText: errorBits(e.error),
    vma: e.vma, decision: e.decision, oldPfn: e.oldPfn, newPfn: e.newPfn, cycles: e.cycles,
  });
}

const pfnText = (p: number): string => (p < 0 ? "-" : hex(p));

/** The one-line form `pf trace` prints. */
export function formatTrace(e: FaultTraceEntry): string {
  const where = e.eip === null ? "uaccess" : `eip ${hex8(e.eip)}`;
  return `pf pid ${e.pid} (${e.comm}) ${where} cr2 ${hex8(e.address)} [${errorBits(e.error)}] ` +
    `vma ${e.vma ?? "none"}: ${DECISION_TEXT[e.decision]} pfn ${pfnText(e.oldPfn)} -> ${pfnText(e.newPfn)}, ${e.cycles} cycles`;
}

/** What `pf break` matches. Every field optional. */
export interface FaultBreak {
  pid?: number;
  start?: number;
  end?: number; // exclusive
  decision?: FaultDecision;
}

export class FaultTracer {
  private seq = 0;
  private lastProfCycles = 0;
  private attachedTo: Kernel | null = null;
  /** Live trace: on, and an optional pid filter. */
  traceOn = false;
  tracePid: number | null = null;
  /** Active `pf break` filter, or null. */
  breakAt: FaultBreak | null = null;
  /** The last traced fault (for pf step). */
  last: FaultTraceEntry | null = null;
  /** Set while `pf step` waits for the kernel's decision. */
  private stepping = false;
  /** Receivers of every entry (--pf-trace FILE writers). */
  private readonly sinks: ((e: FaultTraceEntry) => void)[] = [];
  /** Receiver of the entries the live trace shows (trace on, pid filter). */
  onLive: ((e: FaultTraceEntry) => void) | null = null;

  constructor(
    private readonly machine: Machine,
    private readonly dbg: Debugger,
    private readonly kernel: () => Kernel | null,
  ) {}

  /** Calls cb with every fault the kernel handles from now on, whatever `pf trace` says (--pf-trace FILE). */
  addSink(cb: (e: FaultTraceEntry) => void): void {
    this.sinks.push(cb);
  }

  /** Stops calling a receiver addSink added (the page's fault timeline while it is closed). */
  removeSink(cb: (e: FaultTraceEntry) => void): void {
    const i = this.sinks.indexOf(cb);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  /** Hooks the kernel's fault observer (again after a reboot replaced the kernel). Returns the kernel or null. */
  attach(): Kernel | null {
    const k = this.kernel();
    if (!k) return null;
    if (this.attachedTo !== k) {
      this.attachedTo = k;
      const prev = k.mmctx.onFault;
      this.lastProfCycles = k.mmctx.prof.entries.get("handleMmFault")?.cycles ?? 0;
      k.mmctx.onFault = (r) => {
        prev?.(r);
        this.observe(k, r);
      };
    }
    return k;
  }

  /** Installs (or with null removes) the pf break filter on the debugger. */
  setBreak(b: FaultBreak | null): void {
    this.breakAt = b;
    this.dbg.exceptionFilter = b ? (e) => this.matches(e) : null;
    this.dbg.modeChanged();
  }

  /** The decision the kernel would take for a held #PF (dry run), or null when it is not a user page fault. */
  predict(e: HeldException): { pid: number; comm: string; decision: FaultDecision; vma: string | null } | null {
    const k = this.attach();
    if (!k || e.vector !== 14) return null;
    const t = k.current;
    if (!t.mm) return null;
    const p = faultDecide(t.mm, e.cr2, (e.errorCode & 2) !== 0, false, monitorFaultAccess(this.machine.mem));
    const v = p.vma;
    return { pid: t.pid, comm: t.comm, decision: p.decision, vma: v && v.vmStart <= e.cr2 >>> 0 ? vmaShort(t.mm, v) : null };
  }

  /**
   * Lets the kernel handle the held page fault and stops again right after it
   * decided; returns that fault's entry (null if no fault was handled within
   * the budget of guest cycles).
   */
  step(budget = 50_000_000): FaultTraceEntry | null {
    this.attach();
    this.last = null;
    this.stepping = true;
    try {
      this.dbg.runUntilStop(budget);
    } finally {
      this.stepping = false;
    }
    return this.last;
  }

  /** Fault counts by decision since boot (the kernel's counters). */
  stats(): string {
    const k = this.attach();
    if (!k) throw new Error("no kernel");
    const f = k.mmctx.counters.faults;
    let total = 0;
    const lines = FAULT_DECISIONS.map((d) => {
      total += f[d];
      return `${DECISION_TEXT[d].padEnd(26)} ${String(f[d]).padStart(9)}`;
    });
    lines.push(`${"total".padEnd(26)} ${String(total).padStart(9)}`);
    return lines.join("\n");
  }

  private matches(e: HeldException): boolean {
    const b = this.breakAt;
    if (!b || e.vector !== 14) return false;
    const k = this.attach();
    if (!k) return false;
    const t = k.current;
    if (b.pid !== undefined && t.pid !== b.pid && t.tgid !== b.pid) return false;
    const a = e.cr2 >>> 0;
    if (b.start !== undefined && (a < b.start || a >= (b.end ?? b.start + 1))) return false;
    if (b.decision !== undefined) {
      const p = this.predict(e);
      if (!p || p.decision !== b.decision) return false;
    }
    return true;
  }

  private observe(k: Kernel, r: FaultResult): void {
    const prof = k.mmctx.prof.entries.get("handleMmFault");
    const total = prof?.cycles ?? 0;
    const cycles = total >= this.lastProfCycles ? total - this.lastProfCycles : total;
    this.lastProfCycles = total;
    this.seq++;
    if (!this.traceOn && !this.stepping && this.sinks.length === 0) return;
    const t = k.current;
    const mem = this.machine.mem;
    const frame = kpa(t.ksp);
    const fromTrap = t.ksp !== 0 && mem.read32(frame + Tf.VECTOR) === 14;
    const eip = fromTrap ? mem.read32(frame + Tf.EIP) >>> 0 : null;
    const error = fromTrap ? mem.read32(frame + Tf.ERROR) & 7 : (r.write ? 2 : 0) | (r.user ? 4 : 0);
    const v = r.vma;
    const entry: FaultTraceEntry = {
      seq: this.seq,
      cycle: this.machine.clock.cycles,
      pid: t.pid,
      comm: t.comm,
      eip,
      address: r.address >>> 0,
      error,
      vma: v && t.mm && v.vmStart <= r.address ? vmaShort(v.vmMm, v) : null,
      decision: r.decision,
      oldPfn: r.oldPfn,
      newPfn: r.newPfn,
      cycles,
    };
    for (const s of this.sinks) s(entry);
    if (this.stepping) {
      // pf step prints this entry itself
      this.last = entry;
      this.dbg.stopSoon({ kind: "request" });
      this.stepping = false;
      return;
    }
    if (this.traceOn && (this.tracePid === null || t.pid === this.tracePid || t.tgid === this.tracePid)) this.onLive?.(entry);
  }
}
