// The fault timeline: page faults as the kernel handles them, one lane per
// process, each fault a tick at its guest time coloured by the kernel's
// decision; the window is the last 10 guest seconds. Faults arrive in
// batches of typed arrays (monitor fault tracer -> worker ring) and are kept
// here in a fixed ring of the newest KEEP.

import type { FaultBatch } from "../memory-protocol.ts";
import { DECISION_COLOURS, sizeCanvas } from "./mem-canvas.ts";

const KEEP = 20000;
const LANE_H = 18;
const LABEL_W = 92;
const WINDOW_SECONDS = 10;

/** One kept fault as data (the test hook and the details line). */
export interface FaultRecord {
  seq: number;
  cycle: number;
  pid: number;
  address: number;
  decision: number;
  error: number;
  newPfn: number;
}

/** Keeps the newest faults and draws them as per-pid lanes over guest time. */
export class FaultView {
  private readonly seq = new Float64Array(KEEP);
  private readonly cycle = new Float64Array(KEEP);
  private readonly pid = new Int32Array(KEEP);
  private readonly addr = new Uint32Array(KEEP);
  private readonly dec = new Uint8Array(KEEP);
  private readonly err = new Uint8Array(KEEP);
  private readonly pfn = new Int32Array(KEEP);
  private head = 0;
  private count = 0;
  /** Faults per decision among the kept ones. */
  readonly counts = new Uint32Array(DECISION_COLOURS.length);
  private lanes: number[] = [];
  private t0 = 0;
  private t1 = 1;
  private width = 1;
  private bins = new Uint8Array(0);
  /** Kept faults per pid (the lanes). */
  private readonly perPid = new Map<number, number>();
  /** The canvas height only grows (a resize per snapshot would relayout the page). */
  private height = 0;

  /** Adds a batch from a snapshot. */
  add(b: FaultBatch): void {
    for (let j = 0; j < b.seqs.length; j++) {
      const i = this.head;
      if (this.count === KEEP) {
        this.counts[this.dec[i]]--;
        const left = (this.perPid.get(this.pid[i]) ?? 1) - 1;
        if (left > 0) this.perPid.set(this.pid[i], left);
        else this.perPid.delete(this.pid[i]);
      } else this.count++;
      this.perPid.set(b.pids[j], (this.perPid.get(b.pids[j]) ?? 0) + 1);
      this.seq[i] = b.seqs[j];
      this.cycle[i] = b.cycles[j];
      this.pid[i] = b.pids[j];
      this.addr[i] = b.addresses[j];
      this.dec[i] = b.decisions[j];
      this.err[i] = b.errors[j];
      this.pfn[i] = b.newPfns[j];
      this.counts[b.decisions[j]]++;
      this.head = (i + 1) % KEEP;
    }
  }

  /** Forgets every fault (a reboot). */
  clear(): void {
    this.head = 0;
    this.count = 0;
    this.counts.fill(0);
    this.perPid.clear();
    this.height = 0;
  }

  /** The kept faults, oldest first (newest `max` only). */
  records(max = KEEP): FaultRecord[] {
    const n = Math.min(max, this.count);
    const out: FaultRecord[] = [];
    let i = (this.head - n + KEEP) % KEEP;
    for (let j = 0; j < n; j++) {
      out.push({ seq: this.seq[i], cycle: this.cycle[i], pid: this.pid[i], address: this.addr[i], decision: this.dec[i], error: this.err[i], newPfn: this.pfn[i] });
      i = (i + 1) % KEEP;
    }
    return out;
  }

  /** Draws the lanes up to guest cycle `now` (hz cycles per second); comms names pids; selected pid's lane is highlighted. */
  draw(canvas: HTMLCanvasElement, now: number, hz: number, cssW: number, comms: Map<number, string>, selected: number): void {
    this.lanes = [...this.perPid.keys()].sort((a, b) => a - b).slice(-40);
    const laneIndex = new Map(this.lanes.map((p, k) => [p, k]));
    this.height = Math.max(this.height, 20 + Math.max(4, this.lanes.length) * LANE_H);
    const ctx = sizeCanvas(canvas, cssW, this.height);
    let i = 0;
    this.width = cssW;
    this.t1 = Math.max(now, 1);
    this.t0 = this.t1 - WINDOW_SECONDS * hz;
    const plotW = cssW - LABEL_W - 4;
    ctx.font = "11px ui-monospace, monospace";
    ctx.textBaseline = "middle";
    for (let k = 0; k < this.lanes.length; k++) {
      const y = 16 + k * LANE_H;
      const p = this.lanes[k];
      ctx.fillStyle = p === selected ? "#24303c" : k % 2 ? "#161b21" : "#12161b";
      ctx.fillRect(LABEL_W, y, plotW, LANE_H - 2);
      ctx.fillStyle = "#c9d1d9";
      ctx.fillText(`${p} ${(comms.get(p) ?? "").slice(0, 9)}`, 2, y + LANE_H / 2);
    }
    ctx.fillStyle = "#8b949e";
    ctx.textBaseline = "top";
    ctx.fillText(`-${WINDOW_SECONDS}s`, LABEL_W, 1);
    ctx.fillText("now", cssW - 28, 1);
    // bin the faults into one cell per (lane, pixel column), newest decision wins, then draw runs of equal cells
    const cols = Math.max(1, Math.floor(plotW / 2));
    const nLanes = this.lanes.length;
    if (this.bins.length < cols * nLanes) this.bins = new Uint8Array(cols * nLanes * 2);
    const bins = this.bins;
    bins.fill(0, 0, cols * nLanes);
    const span = this.t1 - this.t0;
    i = (this.head - this.count + KEEP) % KEEP;
    for (let j = 0; j < this.count; j++) {
      const c = this.cycle[i];
      if (c >= this.t0) {
        const k = laneIndex.get(this.pid[i]);
        if (k !== undefined) bins[k * cols + Math.min(cols - 1, Math.floor(((c - this.t0) / span) * cols))] = this.dec[i] + 1;
      }
      i = (i + 1) % KEEP;
    }
    for (let k = 0; k < nLanes; k++) {
      const y = 16 + k * LANE_H + 1;
      let x = 0;
      while (x < cols) {
        const v = bins[k * cols + x];
        let e = x + 1;
        while (e < cols && bins[k * cols + e] === v) e++;
        if (v) {
          ctx.fillStyle = DECISION_COLOURS[v - 1] ?? "#fff";
          ctx.fillRect(LABEL_W + x * 2, y, (e - x) * 2, LANE_H - 4);
        }
        x = e;
      }
    }
  }

  /** Where fault seq is drawn, in CSS pixels of the canvas (null when it is not on screen). */
  pointOf(seq: number): { x: number; y: number } | null {
    let i = (this.head - this.count + KEEP) % KEEP;
    for (let j = 0; j < this.count; j++, i = (i + 1) % KEEP) {
      if (this.seq[i] !== seq || this.cycle[i] < this.t0) continue;
      const k = this.lanes.indexOf(this.pid[i]);
      if (k < 0) return null;
      const plotW = this.width - LABEL_W - 4;
      return { x: LABEL_W + ((this.cycle[i] - this.t0) / (this.t1 - this.t0)) * (plotW - 2), y: 16 + k * LANE_H + LANE_H / 2 };
    }
    return null;
  }

  /** The newest fault drawn near (x, y) in CSS pixels (within 4 px), or null. */
  hit(x: number, y: number): FaultRecord | null {
    const k = Math.floor((y - 16) / LANE_H);
    const p = this.lanes[k];
    if (p === undefined || x < LABEL_W) return null;
    const plotW = this.width - LABEL_W - 4;
    let best: FaultRecord | null = null, bestD = 5;
    let i = (this.head - this.count + KEEP) % KEEP;
    for (let j = 0; j < this.count; j++) {
      if (this.pid[i] === p && this.cycle[i] >= this.t0) {
        const d = Math.abs(LABEL_W + ((this.cycle[i] - this.t0) / (this.t1 - this.t0)) * (plotW - 2) - x);
        if (d <= bestD) {
          bestD = d;
          best = { seq: this.seq[i], cycle: this.cycle[i], pid: p, address: this.addr[i], decision: this.dec[i], error: this.err[i], newPfn: this.pfn[i] };
        }
      }
      i = (i + 1) % KEEP;
    }
    return best;
  }
}
