// The Fork tab: one program's first fork under two designs, side by side and
// animated from the kernel's own record of it (monitor/fork-trace.ts, run in
// the worker from fresh boots). Each side shows the parent's user page
// directory (768 PDEs) and the page tables the fork touched; the entries
// light up in the order the kernel read and wrote them (visited, copied to the
// child, write-protected in the parent, table shared or allocated), at the
// same rate on both sides, so a design that does more work takes longer. Then
// the page faults of the parent and the child that follow, coloured by the
// kernel's decision (a dot marks the child's).

import type { ForkTraceData } from "../../monitor/fork-trace.ts";
import { FORK_OP_NAMES, USER_PDES } from "../../monitor/fork-trace.ts";
import { FAULT_DECISIONS } from "../../kernel/mm/counters.ts";
import type { MmDesign, ToWorker } from "../protocol.ts";
import { MM_DESIGNS } from "../protocol.ts";
import { DECISION_COLOURS, renderLegend, sizeCanvas } from "./mem-canvas.ts";

/** Cell states: before the fork (empty, present), then the fork's operations (ForkOp + 2); a fault is drawn over them. */
const STATE_NAMES = ["empty", "present", ...FORK_OP_NAMES];
const STATE_COLOURS = ["#1d242c", "#34404d", "#6f7a86", "#6f7a86", "#4a86c5", "#e8a33a", "#a47be6", "#3fbf5f"];
const PD_COLS = 32;
const PD_CELL = 6;
const PT_CELL = 4;
const GAP = 10;
/** Fork events per second at each speed, and faults per second (they come slower: each is a story). */
const SPEEDS: readonly [string, number][] = [["slow", 150], ["normal", 600], ["fast", 3000], ["instant", Infinity]];
const FAULTS_PER_EVENT_RATE = 1 / 25;

/** One side: a trace and its cells' states as far as the animation got. */
interface Side {
  t: ForkTraceData;
  pde: Uint8Array;
  /** Per traced table (t.tables order): 1024 states and fault decisions (+1; 0 none), child fault marks. */
  pte: Uint8Array[];
  fault: Uint8Array[];
  child: Uint8Array[];
  tableIndex: Map<number, number>;
  shownEvents: number;
  shownFaults: number;
}

/** What the tests read (window.vmalab.fork). */
export interface ForkModel {
  /** Both sides have shown everything. */
  done(): boolean;
  /** Per side: design, events per operation name, faults, the kernel's counters over the copy. */
  summary(): { design: string; ops: Record<string, number>; faults: number; counters: Record<string, number> }[];
  /** The state a side shows for PDE pdi, or for PTE pti of its table (a fault shows as "fault <decision>"). */
  state(side: number, pdi: number, pti?: number): string;
  status(): string;
}

export class ForkView {
  private sides: Side[] = [];
  private start = 0;
  private rate = SPEEDS[1][1];
  private raf = 0;
  private readonly canvas: HTMLCanvasElement;
  private readonly wrap: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly argvInput: HTMLInputElement;
  private readonly designSelects: HTMLSelectElement[];
  private readonly runButton: HTMLButtonElement;
  private readonly replayButton: HTMLButtonElement;
  /** Page tables drawn per row on each side (fewer on a narrow screen). */
  private tablesPerRow = 1;

  constructor(root: HTMLElement, private readonly send: (msg: ToWorker) => void) {
    const options = (sel: string) => MM_DESIGNS.map((d) => `<option value="${d}"${d === sel ? " selected" : ""}>${d}</option>`).join("");
    root.innerHTML = `
      <div class="mem-controls">
        <label>program <input class="fork-argv" size="24" value="/tests/fork_cow" spellcheck="false" autocomplete="off" /></label>
        <label>left <select class="fork-design" aria-label="left design">${options("classic")}</select></label>
        <label>right <select class="fork-design" aria-label="right design">${options("sharedpt")}</select></label>
        <button type="button" class="fork-run">Run fork</button>
        <button type="button" class="fork-replay" disabled>Replay</button>
        <label>speed <select class="fork-speed" aria-label="speed">${SPEEDS.map(([n], i) => `<option value="${i}"${i === 1 ? " selected" : ""}>${n}</option>`).join("")}</select></label>
        <span class="mem-info fork-status" role="status"></span>
      </div>
      <div class="mem-legend fork-legend"></div>
      <div class="mem-canvas-wrap"><canvas class="mem-canvas"></canvas></div>`;
    const q = <T extends HTMLElement>(sel: string) => root.querySelector(sel) as T;
    this.canvas = q("canvas");
    this.wrap = q(".mem-canvas-wrap");
    this.statusEl = q(".fork-status");
    this.argvInput = q(".fork-argv");
    this.runButton = q(".fork-run");
    this.designSelects = Array.from(root.querySelectorAll<HTMLSelectElement>(".fork-design"));
    const replay = q<HTMLButtonElement>(".fork-replay");
    const speed = q<HTMLSelectElement>(".fork-speed");
    this.runButton.addEventListener("click", () => this.run());
    replay.addEventListener("click", () => this.play());
    speed.addEventListener("change", () => {
      this.rate = SPEEDS[Number(speed.value)][1];
      if (this.sides.length > 0) this.play();
    });
    this.replayButton = replay;
    renderLegend(q(".fork-legend"), [...STATE_NAMES, ...FAULT_DECISIONS.map((d) => `fault: ${d}`)], [...STATE_COLOURS, ...DECISION_COLOURS]);
    new ResizeObserver(() => this.frame()).observe(this.wrap);
  }

  /** Asks the worker for the two traces. */
  private run(): void {
    const argv = this.argvInput.value.trim().split(/\s+/).filter(Boolean);
    if (argv.length === 0) return;
    this.runButton.disabled = true;
    this.statusEl.textContent = `running ${argv.join(" ")} under ${this.designSelects.map((s) => s.value).join(" and ")}…`;
    this.send({ type: "fork-trace", argv, designs: this.designSelects.map((s) => s.value as MmDesign) });
  }

  /** The worker's traces: start the animation. */
  onResult(traces: ForkTraceData[]): void {
    this.runButton.disabled = false;
    this.replayButton.disabled = false;
    this.sides = traces.map((t) => ({
      t,
      pde: new Uint8Array(USER_PDES),
      pte: t.tables.map(() => new Uint8Array(1024)),
      fault: t.tables.map(() => new Uint8Array(1024)),
      child: t.tables.map(() => new Uint8Array(1024)),
      tableIndex: new Map(t.tables.map((x, i) => [x.pdi, i])),
      shownEvents: 0,
      shownFaults: 0,
    }));
    this.statusEl.textContent = traces.map((t) => `mm=${t.design}: pid ${t.parentPid} (${t.comm}) forked pid ${t.childPid || "?"}`).join("; ");
    this.play();
  }

  onError(message: string): void {
    this.runButton.disabled = false;
    this.statusEl.textContent = `error: ${message}`;
  }

  /** Resets the cells to the parent's state before the fork and animates from there. */
  private play(): void {
    for (const s of this.sides) {
      for (let i = 0; i < USER_PDES; i++) s.pde[i] = s.t.pdesBefore[i] & 1 ? 1 : 0;
      s.t.tables.forEach((tb, k) => {
        for (let i = 0; i < 1024; i++) s.pte[k][i] = tb.before[i] !== 0 ? 1 : 0;
        s.fault[k].fill(0);
        s.child[k].fill(0);
      });
      s.shownEvents = 0;
      s.shownFaults = 0;
    }
    this.start = performance.now();
    this.frame();
  }

  /** Advances both sides to where the clock says and draws; again next frame until both are done. */
  private frame(): void {
    cancelAnimationFrame(this.raf);
    const elapsed = (performance.now() - this.start) / 1000;
    let more = false;
    for (const s of this.sides) {
      const n = s.t.ops.length;
      const events = Math.min(n, Math.floor(elapsed * this.rate));
      for (; s.shownEvents < events; s.shownEvents++) {
        const i = s.shownEvents, op = s.t.ops[i], pdi = s.t.pdis[i];
        if (op === 0 || op >= 4) s.pde[pdi] = op + 2; // PDE visit, table shared / allocated
        else {
          const k = s.tableIndex.get(pdi);
          if (k !== undefined) s.pte[k][s.t.ptis[i]] = op + 2;
        }
      }
      if (events === n) {
        const since = elapsed - n / this.rate;
        const faults = Math.min(s.t.faultAddrs.length, Math.floor(since * this.rate * FAULTS_PER_EVENT_RATE));
        for (; s.shownFaults < faults; s.shownFaults++) {
          const a = s.t.faultAddrs[s.shownFaults];
          const k = s.tableIndex.get(a >>> 22);
          if (k === undefined) continue;
          const pti = (a >>> 12) & 1023;
          s.fault[k][pti] = s.t.faultDecisions[s.shownFaults] + 1;
          if (s.t.faultWho[s.shownFaults] === 1) s.child[k][pti] = 1;
        }
      }
      if (s.shownEvents < n || s.shownFaults < s.t.faultAddrs.length) more = true;
    }
    this.draw();
    if (more) this.raf = requestAnimationFrame(() => this.frame());
  }

  private draw(): void {
    const cssW = Math.max(300, this.wrap.clientWidth - 4);
    const tableW = 32 * PT_CELL + GAP;
    const tables = Math.max(1, ...this.sides.map((s) => s.t.tables.length));
    const wide = Math.max(PD_COLS * PD_CELL, tables * tableW);
    const across = cssW >= this.sides.length * (wide + 20);
    // a side as wide as the screen allows: its tables wrap into rows
    const perRow = across ? tables : Math.max(1, Math.floor((cssW - 4) / tableW));
    this.tablesPerRow = perRow;
    const sideW = across ? wide : cssW - 4;
    const sideH = 40 + (USER_PDES / PD_COLS) * PD_CELL + 24 + Math.ceil(tables / perRow) * (32 * PT_CELL + 16) + 14;
    const h = this.sides.length === 0 ? 40 : across ? sideH : sideH * this.sides.length;
    const ctx = sizeCanvas(this.canvas, cssW, h);
    ctx.font = "11px ui-monospace, monospace";
    ctx.textBaseline = "top";
    if (this.sides.length === 0) {
      ctx.fillStyle = "#8b949e";
      ctx.fillText("Run fork: the program's first fork under the two designs, entry by entry", 4, 12);
      return;
    }
    this.sides.forEach((s, n) => this.drawSide(ctx, s, across ? n * (sideW + 20) + 2 : 2, across ? 0 : n * sideH));
  }

  private drawSide(ctx: CanvasRenderingContext2D, s: Side, x0: number, y0: number): void {
    const t = s.t;
    const counts = new Array<number>(FORK_OP_NAMES.length).fill(0);
    for (let i = 0; i < s.shownEvents; i++) counts[t.ops[i]]++;
    ctx.fillStyle = "#c9d1d9";
    ctx.fillText(`mm=${t.design}: ${s.shownEvents}/${t.ops.length} page-table entry accesses, then ${s.shownFaults}/${t.faultAddrs.length} faults`, x0, y0 + 2);
    ctx.fillStyle = "#8b949e";
    ctx.fillText(`PDEs ${counts[0]}  PTEs ${counts[1]}  copied ${counts[2]}  wrprotect ${counts[3]}  shared ${counts[4]}  new ${counts[5]}`, x0, y0 + 16);
    const top = y0 + 34;
    ctx.fillText("page directory, user part (768 PDEs)", x0, top - 2);
    for (let i = 0; i < USER_PDES; i++) {
      ctx.fillStyle = STATE_COLOURS[s.pde[i]];
      ctx.fillRect(x0 + (i % PD_COLS) * PD_CELL, top + 12 + Math.floor(i / PD_COLS) * PD_CELL, PD_CELL - 1, PD_CELL - 1);
    }
    const ty0 = top + 12 + (USER_PDES / PD_COLS) * PD_CELL + 12;
    t.tables.forEach((tb, k) => {
      const tx = x0 + (k % this.tablesPerRow) * (32 * PT_CELL + GAP);
      const ty = ty0 + Math.floor(k / this.tablesPerRow) * (32 * PT_CELL + 16);
      ctx.fillStyle = "#8b949e";
      ctx.fillText(`PDE[${tb.pdi}] ${tb.pdi * 4}M`, tx, ty - 2);
      for (let i = 0; i < 1024; i++) {
        const f = s.fault[k][i];
        ctx.fillStyle = f ? DECISION_COLOURS[f - 1] ?? "#fff" : STATE_COLOURS[s.pte[k][i]];
        const x = tx + (i % 32) * PT_CELL, y = ty + 12 + Math.floor(i / 32) * PT_CELL;
        ctx.fillRect(x, y, PT_CELL - 1, PT_CELL - 1);
        if (s.child[k][i]) {
          ctx.fillStyle = "#ffffff";
          ctx.fillRect(x + 1, y + 1, 1, 1);
        }
      }
    });
  }

  model(): ForkModel {
    return {
      done: () => this.sides.length > 0 && this.sides.every((s) => s.shownEvents === s.t.ops.length && s.shownFaults === s.t.faultAddrs.length),
      summary: () =>
        this.sides.map((s) => {
          const ops: Record<string, number> = {};
          for (const name of FORK_OP_NAMES) ops[name] = 0;
          for (const op of s.t.ops) ops[FORK_OP_NAMES[op]]++;
          return { design: s.t.design, ops, faults: s.t.faultAddrs.length, counters: s.t.counters };
        }),
      state: (side, pdi, pti) => {
        const s = this.sides[side];
        if (pti === undefined) return STATE_NAMES[s.pde[pdi]];
        const k = s.tableIndex.get(pdi);
        if (k === undefined) return "not shown";
        const f = s.fault[k][pti];
        return f ? `fault ${FAULT_DECISIONS[f - 1]}` : STATE_NAMES[s.pte[k][pti]];
      },
      status: () => this.statusEl.textContent ?? "",
    };
  }
}
