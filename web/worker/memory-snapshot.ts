// The worker side of the memory pictures: while the page has one open, a
// snapshot every 100 ms built from the monitor's data functions
// (monitor/memory-data.ts, the fault tracer's sink) with its arrays
// transferred, and answers to detail queries in the monitor's own text.
// Only reads guest state between run-loop slices, so the guest stays
// deterministic; nothing runs while no picture is open.

import type { Guest } from "./guest.ts";
import type { FaultTraceEntry } from "../../monitor/fault-trace.ts";
import { FAULT_DECISIONS } from "../../kernel/mm/counters.ts";
import { CPU_HZ } from "../../emulator/machine/clock.ts";
import {
  FRAME_OWNER_NAMES, PAGE_STATE_NAMES, addressSpaceData, frameOwners, taskWithMm,
} from "../../monitor/memory-data.ts";
import { runMonitorCommand } from "./monitor-bridge.ts";
import { tlbEntriesChecked } from "../../monitor/machine-commands.ts";
import type { FaultBatch, MemQuery, MemReply, MemSnapshot, MemView, ProcInfo } from "../memory-protocol.ts";

/** Faults kept between two snapshots; older ones are dropped (the page shows the newest). */
const FAULT_RING = 8192;
const DECISION_INDEX = new Map(FAULT_DECISIONS.map((d, i) => [d, i]));

/** The open picture, its process, the fault ring; builds snapshots and answers queries for one worker. */
export class MemorySnapshots {
  private view: MemView | null = null;
  private open = false;
  private pid = 1;
  private seq = 0;
  private guest: Guest | null = null;
  private sinkOn: Guest | null = null;
  // the fault ring (struct of arrays, reused; copied out per snapshot)
  private readonly fSeq = new Float64Array(FAULT_RING);
  private readonly fCycle = new Float64Array(FAULT_RING);
  private readonly fPid = new Int32Array(FAULT_RING);
  private readonly fAddr = new Uint32Array(FAULT_RING);
  private readonly fDec = new Uint8Array(FAULT_RING);
  private readonly fErr = new Uint8Array(FAULT_RING);
  private readonly fPfn = new Int32Array(FAULT_RING);
  private readonly fComms = new Map<number, string>();
  private fHead = 0;
  private fCount = 0;
  private readonly sink = (e: FaultTraceEntry): void => {
    if (this.sinkOn?.replaying) return; // a time-travel re-execution: these faults were shown before
    const i = this.fHead;
    this.fSeq[i] = e.seq;
    this.fCycle[i] = e.cycle;
    this.fPid[i] = e.pid;
    this.fAddr[i] = e.address;
    this.fDec[i] = DECISION_INDEX.get(e.decision) ?? 0;
    this.fErr[i] = e.error;
    this.fPfn[i] = e.newPfn;
    if (this.fComms.get(e.pid) !== e.comm) this.fComms.set(e.pid, e.comm);
    this.fHead = (i + 1) % FAULT_RING;
    if (this.fCount < FAULT_RING) this.fCount++;
  };

  /**
   * The picture the page has selected (null: none), its process, and whether
   * it is on screen (snapshots only then). The fault sink stays attached while
   * "faults" is selected, also off screen, so the timeline has no hole while
   * the user types in the console or monitor tab; the ring keeps the newest.
   */
  select(guest: Guest | null, view: MemView | null, pid: number, open: boolean): void {
    this.guest = guest;
    this.view = view;
    this.pid = pid;
    this.open = open;
    const wantSink = view === "faults" ? guest : null;
    if (this.sinkOn !== wantSink) {
      this.sinkOn?.monitor.faults.removeSink(this.sink);
      this.sinkOn = null;
      this.fCount = 0;
      if (wantSink && wantSink.kernel) {
        wantSink.monitor.faults.attach();
        wantSink.monitor.faults.addSink(this.sink);
        this.sinkOn = wantSink;
      }
    }
  }

  /** True while a picture is on screen. */
  get active(): boolean {
    return this.view !== null && this.open;
  }

  /** The next snapshot and the buffers to transfer, or null when no picture is open. */
  snapshot(): { snap: MemSnapshot; transfer: ArrayBuffer[] } | null {
    const view = this.view, g = this.guest;
    if (!view || !g || !this.open) return null;
    if (view === "faults" && this.sinkOn !== g) this.select(g, view, this.pid, true); // a reboot replaced the guest's kernel
    const k = g.kernel;
    const snap: MemSnapshot = {
      view, seq: ++this.seq, cycle: g.machine.clock.cycles, hz: CPU_HZ, procs: [], error: null, as: null,
      pageStates: PAGE_STATE_NAMES, frameOwners: FRAME_OWNER_NAMES, owners: null, firstPfn: 0,
      decisions: FAULT_DECISIONS, faults: null,
    };
    const transfer: ArrayBuffer[] = [];
    if (!k) {
      snap.error = "no kernel (the echo fixture guest has no memory manager to show)";
      return { snap, transfer };
    }
    const procs: ProcInfo[] = [];
    for (const t of k.tasks.values()) if (t.mm) procs.push({ pid: t.pid, comm: t.comm });
    procs.sort((a, b) => a.pid - b.pid);
    snap.procs = procs;
    if (view === "as" || view === "pt") {
      const t = taskWithMm(k, this.pid);
      if (t) {
        const d = addressSpaceData(k, g.machine.mem, t);
        // the TLB holds the translations of the address space in CR3 only
        const inCr3 = (g.machine.cpu.registers().cr3 & ~0xfff) === d.pgd;
        const stale = inCr3 ? tlbEntriesChecked(g.machine.cpu).filter((e) => e.stale !== "" && e.linear < 0xc0000000) : [];
        snap.as = { ...d, staleTlb: Uint32Array.from(stale, (e) => e.linear) };
        for (const a of [d.states, d.ptes, d.pdes, d.sharedTables, snap.as.staleTlb]) transfer.push(a.buffer as ArrayBuffer);
      } else snap.error = `no process ${this.pid} with an address space`;
    } else if (view === "phys") {
      snap.owners = frameOwners(k);
      snap.firstPfn = k.mmctx.frames.firstPfn;
      transfer.push(snap.owners.buffer as ArrayBuffer);
    } else if (view === "faults") {
      snap.faults = this.takeFaults();
      const f = snap.faults;
      for (const a of [f.seqs, f.cycles, f.pids, f.addresses, f.decisions, f.errors, f.newPfns]) transfer.push(a.buffer as ArrayBuffer);
    }
    return { snap, transfer };
  }

  private takeFaults(): FaultBatch {
    const n = this.fCount;
    const b: FaultBatch = {
      seqs: new Float64Array(n), cycles: new Float64Array(n), pids: new Int32Array(n), addresses: new Uint32Array(n),
      decisions: new Uint8Array(n), errors: new Uint8Array(n), newPfns: new Int32Array(n), comms: [...this.fComms],
    };
    this.fComms.clear();
    let i = (this.fHead - n + FAULT_RING) % FAULT_RING;
    for (let j = 0; j < n; j++) {
      b.seqs[j] = this.fSeq[i];
      b.cycles[j] = this.fCycle[i];
      b.pids[j] = this.fPid[i];
      b.addresses[j] = this.fAddr[i];
      b.decisions[j] = this.fDec[i];
      b.errors[j] = this.fErr[i];
      b.newPfns[j] = this.fPfn[i];
      i = (i + 1) % FAULT_RING;
    }
    this.fCount = 0;
    return b;
  }

  /** Answers a detail query with the monitor's text for the same question (walk, frame) plus raw values. */
  query(guest: Guest | null, id: number, q: MemQuery): MemReply {
    const k = guest?.kernel;
    if (!guest || !k) return { type: "mem-reply", id, text: "no kernel", values: null };
    if (q.kind === "walk") {
      const text = runMonitorCommand(guest, `walk ${q.pid} 0x${(q.va >>> 0).toString(16)}`);
      return { type: "mem-reply", id, text, values: null };
    }
    if (q.kind === "frame") {
      return { type: "mem-reply", id, text: runMonitorCommand(guest, `frame 0x${q.pfn.toString(16)}`), values: null };
    }
    if (q.kind === "record") return { type: "mem-reply", id, text: runMonitorCommand(guest, `record ${q.on ? "on" : "off"}`), values: null };
    // (the caller has stopped the guest: it stays just before the fault)
    if (q.kind === "goto-fault") return { type: "mem-reply", id, text: runMonitorCommand(guest, `goto fault seq ${q.seq}`), values: null };
    const t = taskWithMm(k, q.pid);
    if (!t) return { type: "mem-reply", id, text: `no process ${q.pid} with an address space`, values: null };
    const mem = guest.machine.mem;
    const pde = mem.read32(t.mm!.pgd + q.pdi * 4) >>> 0;
    const values = new Uint32Array(1024);
    if (pde & 1 && !(pde & 0x80)) {
      const pt = (pde & ~0xfff) >>> 0;
      for (let j = 0; j < 1024; j++) values[j] = mem.read32(pt + j * 4) >>> 0;
    }
    return { type: "mem-reply", id, text: `PDE[${q.pdi}] = ${pde.toString(16).padStart(8, "0")}`, values };
  }
}
