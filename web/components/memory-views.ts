// The Memory tab: live pictures of the guest's memory drawn on a canvas from
// worker snapshots (web/memory-protocol.ts): a process's address space, the
// physical frames, the page-fault timeline and the page-table grid. Only the
// open picture is requested (mem-view), at most 10 snapshots a second; each
// snapshot is drawn once, in the next animation frame. Hover shows details
// (the monitor's own `walk` / `frame` text for the page or frame), a click
// pins them (click again to unpin).

import type { ToWorker } from "../protocol.ts";
import type { MemReply, MemSnapshot, MemView, ProcInfo } from "../memory-protocol.ts";
import { AsView } from "./as-view.ts";
import { PhysView } from "./phys-view.ts";
import { FaultView, type FaultRecord } from "./fault-view.ts";
import { ENTRY_CLASSES, ENTRY_COLOURS, MARK_COLOURS, MARK_NAMES, PtView, entryClass } from "./pt-view.ts";
import { DECISION_COLOURS, FRAME_OWNER_COLOURS, PAGE_STATE_COLOURS, hex8, renderLegend } from "./mem-canvas.ts";

const VIEWS: readonly [MemView, string][] = [["as", "Address space"], ["phys", "Physical"], ["faults", "Faults"], ["pt", "Page tables"]];

/** What the tests read (window.vmalab.memory). */
export interface MemoryModel {
  view: MemView;
  pid: number;
  /** Snapshots drawn since the page loaded. */
  drawn: number;
  /** The longest draw so far, in ms (the tests' check of the 50 ms budget). */
  maxDrawMs: number;
  /** The last (up to 64) draws' durations in ms. */
  drawTimes(): number[];
  /** The last snapshot's guest cycle. */
  cycle: number;
  /** The state name and PTE the address-space picture shows for va (null: no such page drawn). */
  pageAt(va: number): { state: string; pte: number } | null;
  /** Centre of va's cell in page coordinates (to hover or click it). */
  pagePoint(va: number): { x: number; y: number } | null;
  /** The owner name the physical picture shows for pfn. */
  frameOwner(pfn: number): string | null;
  /** Centre of frame pfn's square in page coordinates. */
  framePoint(pfn: number): { x: number; y: number } | null;
  /** The areas the address-space picture shows. */
  areas(): { start: number; end: number; perms: string; name: string }[];
  /** Centre of a page-directory ("pd") or page-table ("pt") entry in page coordinates. */
  ptPoint(table: "pd" | "pt", index: number): { x: number; y: number };
  /** The kept faults (sequence number, pid, address, decision name), oldest first. */
  faults(): { seq: number; pid: number; address: number; decision: string }[];
  /** Centre of fault seq's tick in page coordinates (null: not on screen). */
  faultPoint(seq: number): { x: number; y: number } | null;
  /** The details panel's text. */
  details(): string;
}

/** The Memory tab: controls, the open picture, details, and the test model. */
export class MemoryViews {
  private view: MemView = "as";
  private pid = 1;
  private open = false;
  private snap: MemSnapshot | null = null;
  private drawPending = false;
  private readonly canvas: HTMLCanvasElement;
  private readonly wrap: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly detailsEl: HTMLElement;
  private readonly pidSelect: HTMLSelectElement;
  private readonly info: HTMLElement;
  private readonly asView = new AsView();
  private readonly physView = new PhysView();
  private readonly faultView = new FaultView();
  private readonly ptView = new PtView();
  private readonly gotoButton: HTMLButtonElement;
  private procKey = "";
  private comms = new Map<number, string>();
  /** Names of the pids seen in faults (kept after they exit). */
  private readonly faultComms = new Map<number, string>();
  // details: pinned target (va for as, pfn for phys, pdi for pt), hover target, one query in flight
  private pinned = -1;
  private hover = -1;
  private queryId = 0;
  private inFlight = 0;
  private queued: { key: string; line: () => ToWorker } | null = null;
  private lastKey = "";
  private ptTable: Uint32Array | null = null;
  private ptPdi = -1;
  private lastFaultText = "";
  private drawn = 0;
  private maxDrawMs = 0;
  private readonly drawTimes = new Float64Array(64);

  /** root: the tab's container (filled here); send: posts to the worker. */
  constructor(root: HTMLElement, private readonly send: (msg: ToWorker) => void) {
    root.innerHTML = `
      <div class="mem-controls">
        <div class="mem-views" role="tablist">${VIEWS.map(([v, n]) => `<button type="button" data-view="${v}">${n}</button>`).join("")}</div>
        <label>pid <select class="mem-pid" aria-label="process"></select></label>
        <label class="mem-travel" title="Keep snapshots so that a fault can be gone back to (the monitor's record on)"><input type="checkbox" class="mem-record" /> record</label>
        <button type="button" class="mem-travel mem-goto" disabled title="Stop the guest just before the pinned fault (the monitor's goto fault seq)">Go back to this fault</button>
        <span class="mem-info" role="status"></span>
      </div>
      <div class="mem-legend"></div>
      <div class="mem-body">
        <div class="mem-canvas-wrap"><canvas class="mem-canvas"></canvas></div>
        <pre class="mem-details" aria-live="polite"></pre>
      </div>`;
    const q = <T extends HTMLElement>(sel: string) => root.querySelector(sel) as T;
    this.canvas = q("canvas");
    this.wrap = q(".mem-canvas-wrap");
    this.legend = q(".mem-legend");
    this.detailsEl = q(".mem-details");
    this.pidSelect = q(".mem-pid");
    this.info = q(".mem-info");
    this.gotoButton = q(".mem-goto");
    const record = q<HTMLInputElement>(".mem-record");
    record.addEventListener("change", () => this.query(`record:${Date.now()}`, () => ({ type: "mem-query", id: this.queryId, query: { kind: "record", on: record.checked } })));
    this.gotoButton.addEventListener("click", () => {
      const seq = this.pinned;
      if (this.view === "faults" && seq >= 0) this.query(`goto:${seq}:${Date.now()}`, () => ({ type: "mem-query", id: this.queryId, query: { kind: "goto-fault", seq } }));
    });
    for (const b of Array.from(root.querySelectorAll<HTMLButtonElement>(".mem-views button"))) {
      b.addEventListener("click", () => this.select(b.dataset.view as MemView, this.pid));
    }
    this.pidSelect.addEventListener("change", () => this.select(this.view, Number(this.pidSelect.value)));
    this.canvas.addEventListener("pointermove", (e) => this.pointer(e, false));
    this.canvas.addEventListener("click", (e) => this.pointer(e, true));
    this.canvas.addEventListener("pointerleave", () => {
      this.hover = -1;
      if (this.pinned < 0) this.setDetails("");
    });
    new ResizeObserver(() => this.scheduleDraw()).observe(this.wrap);
    this.markButtons();
  }

  /** The tab became visible (true) or hidden: snapshots flow only while visible. */
  setOpen(open: boolean): void {
    this.open = open;
    this.subscribe();
    if (open) this.scheduleDraw();
  }

  /** The guest rebooted: forget faults and pins, ask again. */
  rebooted(): void {
    this.faultView.clear();
    this.faultComms.clear();
    this.pinned = -1;
    this.ptTable = null;
    this.ptPdi = -1;
    this.subscribe();
  }

  /** Picks a picture and a process. */
  select(view: MemView, pid: number): void {
    if (view !== this.view || pid !== this.pid) {
      this.pinned = -1;
      this.hover = -1;
      this.ptTable = null;
      this.ptPdi = -1;
      this.lastKey = "";
      this.setDetails("");
    }
    this.view = view;
    this.pid = pid;
    this.markButtons();
    this.subscribe();
    this.scheduleDraw();
  }

  private subscribe(): void {
    this.send({ type: "mem-view", view: this.view, pid: this.pid, open: this.open });
  }

  private markButtons(): void {
    const root = this.wrap.parentElement!.parentElement!;
    for (const b of Array.from(root.querySelectorAll<HTMLButtonElement>(".mem-views button"))) {
      b.classList.toggle("active", b.dataset.view === this.view);
    }
    for (const e of Array.from(root.querySelectorAll<HTMLElement>(".mem-travel"))) e.hidden = this.view !== "faults";
    this.gotoButton.disabled = !(this.view === "faults" && this.pinned >= 0);
  }

  /** A snapshot from the worker. */
  onSnapshot(snap: MemSnapshot): void {
    if (snap.faults) {
      this.faultView.add(snap.faults);
      for (const [pid, comm] of snap.faults.comms) this.faultComms.set(pid, comm);
      if (this.faultComms.size > 4096) for (const pid of [...this.faultComms.keys()].slice(0, 1024)) this.faultComms.delete(pid);
    }
    if (snap.view !== this.view) return;
    this.snap = snap;
    this.updateProcs(snap.procs);
    if (this.pinned >= 0 && (this.view === "as" || this.view === "phys")) this.requestDetails(this.pinned, true);
    this.scheduleDraw();
  }

  /** The answer to a detail query. */
  onReply(r: MemReply): void {
    if (r.id !== this.inFlight) return;
    this.inFlight = 0;
    if (r.values) {
      this.ptTable = r.values;
      this.scheduleDraw();
    }
    this.setDetails(r.text);
    const next = this.queued;
    this.queued = null;
    if (next) this.query(next.key, next.line);
  }

  private updateProcs(procs: ProcInfo[]): void {
    const key = procs.map((p) => `${p.pid}:${p.comm}`).join(" ");
    if (key === this.procKey) return;
    this.procKey = key;
    this.comms = new Map(procs.map((p) => [p.pid, p.comm]));
    const opts = procs.map((p) => `<option value="${p.pid}">${p.pid} ${escapeHtml(p.comm)}</option>`);
    if (!this.comms.has(this.pid)) opts.unshift(`<option value="${this.pid}">${this.pid} (gone)</option>`);
    this.pidSelect.innerHTML = opts.join("");
    this.pidSelect.value = String(this.pid);
  }

  private scheduleDraw(): void {
    if (this.drawPending || !this.open) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    const t0 = performance.now();
    this.drawOnce();
    const ms = performance.now() - t0;
    if (ms > this.maxDrawMs) this.maxDrawMs = ms;
    this.drawTimes[this.drawn % this.drawTimes.length] = ms;
  }

  private drawOnce(): void {
    const snap = this.snap;
    const w = Math.max(200, this.wrap.clientWidth - 2);
    if (!snap || snap.view !== this.view) {
      this.info.textContent = "waiting for the guest…";
      return;
    }
    this.drawn++;
    this.info.textContent = snap.error ?? this.infoText(snap);
    const ctx = this.canvas.getContext("2d")!;
    if (snap.error && this.view !== "faults") {
      ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      return;
    }
    switch (this.view) {
      case "as":
        renderLegend(this.legend, snap.pageStates, PAGE_STATE_COLOURS);
        if (snap.as) this.asView.draw(this.canvas, snap.as, w, this.pinned >= 0 ? this.asView.cellOf(this.pinned) : -1);
        break;
      case "phys":
        renderLegend(this.legend, snap.frameOwners, FRAME_OWNER_COLOURS);
        if (snap.owners) this.physView.draw(this.canvas, snap.owners, w, this.pinned);
        break;
      case "faults": {
        renderLegend(this.legend, snap.decisions, DECISION_COLOURS, this.faultView.counts);
        this.faultView.draw(this.canvas, snap.cycle, snap.hz, w, this.faultComms, this.pid);
        if (this.pinned < 0 && this.hover < 0) {
          const text = this.faultView.records(12).reverse().map((f) => this.faultLine(f)).join("\n");
          if (text !== this.lastFaultText) {
            this.lastFaultText = text;
            this.setDetails(text ? `newest faults:\n${text}` : "no faults yet: run a program in the console");
          }
        }
        break;
      }
      case "pt":
        renderLegend(this.legend, [...ENTRY_CLASSES.map((c, i) => (i === 7 ? "accessed (dark dot)" : c)), ...MARK_NAMES], [...ENTRY_COLOURS, ...MARK_COLOURS]);
        if (snap.as) this.ptView.draw(this.canvas, snap.as.pdes, this.ptTable, this.ptPdi, w, snap.as);
        break;
    }
  }

  private infoText(s: MemSnapshot): string {
    if (s.as) {
      const present = s.as.states.reduce((n, v) => n + (v !== 0 && v !== 5 ? 1 : 0), 0);
      return `pid ${s.as.pid} (${s.as.comm}) pgd ${hex8(s.as.pgd)}: ${s.as.areas.length} areas, ${present} pages present`;
    }
    if (s.owners) {
      let free = 0;
      for (let i = 0; i < s.owners.length; i++) if (s.owners[i] === 0) free++;
      return `${s.owners.length} frames, ${free} free`;
    }
    return `guest time ${(s.cycle / s.hz).toFixed(2)} s`;
  }

  private faultLine(f: FaultRecord): string {
    const d = this.snap?.decisions[f.decision] ?? String(f.decision);
    const err = `${f.error & 1 ? "protection" : "not-present"} ${f.error & 2 ? "write" : "read"} ${f.error & 4 ? "user" : "kernel"}`;
    return `pid ${f.pid} (${this.faultComms.get(f.pid) ?? this.comms.get(f.pid) ?? "?"}) cr2 ${hex8(f.address)} [${err}] ${d}${f.newPfn >= 0 ? ` pfn 0x${f.newPfn.toString(16)}` : ""}`;
  }

  private pointer(e: PointerEvent | MouseEvent, click: boolean): void {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    let target = -1;
    if (this.view === "as") target = this.asView.hit(x, y)?.va ?? -1;
    else if (this.view === "phys") target = this.physView.hit(x, y);
    else if (this.view === "faults") {
      const f = this.faultView.hit(x, y);
      if (click) {
        this.pinned = this.pinned >= 0 || !f ? -1 : f.seq;
        this.markButtons();
      }
      if (f && (click || this.pinned < 0)) this.setDetails(this.faultLine(f) + `\nguest time ${(f.cycle / (this.snap?.hz ?? 1)).toFixed(3)} s, fault #${f.seq}`);
      this.hover = f ? f.seq : -1;
      return;
    } else if (this.view === "pt") {
      const h = this.ptView.hit(x, y);
      if (!h) return;
      const snap = this.snap;
      if (h.table === "pd") {
        const v = snap?.as?.pdes[h.index] ?? 0;
        if (click && v & 1 && !(v & 0x80)) {
          this.ptPdi = h.index;
          this.query(`pt:${h.index}:${Date.now()}`, () => ({ type: "mem-query", id: this.queryId, query: { kind: "ptable", pid: this.pid, pdi: h.index } }));
        } else this.setDetails(entryText("PDE", h.index, v, true, h.index * 0x400000));
      } else if (this.ptTable) {
        this.setDetails(entryText("PTE", h.index, this.ptTable[h.index], false, this.ptPdi * 0x400000 + h.index * 0x1000));
      }
      return;
    }
    if (click) {
      this.pinned = this.pinned >= 0 && (target < 0 || target === this.pinned) ? -1 : target;
      this.scheduleDraw();
      if (this.pinned >= 0) this.requestDetails(this.pinned, true);
      return;
    }
    if (this.pinned >= 0 || target === this.hover) return;
    this.hover = target;
    if (target >= 0) this.requestDetails(target, false);
  }

  private requestDetails(target: number, refresh: boolean): void {
    const key = `${this.view}:${this.pid}:${target}${refresh ? `:${this.snap?.seq}` : ""}`;
    if (this.view === "as") this.query(key, () => ({ type: "mem-query", id: this.queryId, query: { kind: "walk", pid: this.pid, va: target } }));
    else if (this.view === "phys") {
      const owner = this.snap?.owners ? this.snap.frameOwners[this.snap.owners[target]] : "?";
      if (!refresh) this.setDetails(`pfn 0x${target.toString(16)}: ${owner} (click for the reverse map)`);
      else this.query(key, () => ({ type: "mem-query", id: this.queryId, query: { kind: "frame", pfn: target } }));
    }
  }

  /** Sends a query now, or queues it (newest wins) while one is in flight. */
  private query(key: string, line: () => ToWorker): void {
    if (key === this.lastKey && this.inFlight) return;
    if (this.inFlight) {
      this.queued = { key, line };
      return;
    }
    this.lastKey = key;
    this.inFlight = ++this.queryId;
    this.send(line());
  }

  private setDetails(text: string): void {
    if (this.detailsEl.textContent !== text) this.detailsEl.textContent = text;
  }

  /** The model the e2e tests compare with the monitor's text. */
  model(): MemoryModel {
    const self = this;
    const pagePoint = (va: number) => {
      const rect = self.asView.cellRect(self.asView.cellOf(va >>> 0));
      if (!rect) return null;
      const r = self.canvas.getBoundingClientRect();
      return { x: r.left + rect.x + rect.size / 2, y: r.top + rect.y + rect.size / 2 };
    };
    return {
      get view() { return self.view; },
      get pid() { return self.pid; },
      get drawn() { return self.drawn; },
      get maxDrawMs() { return self.maxDrawMs; },
      drawTimes: () => Array.from(self.drawTimes.subarray(0, Math.min(self.drawn, self.drawTimes.length))),
      get cycle() { return self.snap?.cycle ?? 0; },
      pageAt(va: number) {
        const s = self.snap?.as;
        const cell = self.asView.cellOf(va >>> 0);
        if (!s || cell < 0) return null;
        return { state: self.snap!.pageStates[s.states[cell]], pte: s.ptes[cell] };
      },
      pagePoint,
      frameOwner(pfn: number) {
        const o = self.snap?.owners;
        return o && pfn < o.length ? self.snap!.frameOwners[o[pfn]] : null;
      },
      framePoint(pfn: number) {
        const c = self.physView.centre(pfn);
        const r = self.canvas.getBoundingClientRect();
        return { x: r.left + c.x, y: r.top + c.y };
      },
      areas() {
        return (self.snap?.as?.areas ?? []).map((a) => ({ start: a.start, end: a.end, perms: a.perms, name: a.name }));
      },
      ptPoint(table: "pd" | "pt", index: number) {
        const c = self.ptView.centre(table, index);
        const r = self.canvas.getBoundingClientRect();
        return { x: r.left + c.x, y: r.top + c.y };
      },
      faults() {
        const names = self.snap?.decisions ?? [];
        return self.faultView.records().map((f) => ({ seq: f.seq, pid: f.pid, address: f.address, decision: names[f.decision] ?? String(f.decision) }));
      },
      faultPoint(seq: number) {
        const p = self.faultView.pointOf(seq);
        if (!p) return null;
        const r = self.canvas.getBoundingClientRect();
        return { x: r.left + p.x, y: r.top + p.y };
      },
      details: () => self.detailsEl.textContent ?? "",
    };
  }
}

function entryText(kind: string, index: number, v: number, isPde: boolean, va: number): string {
  const bits = [v & 1 ? "P" : "-", v & 2 ? "RW" : "RO", v & 4 ? "U" : "S", v & 0x20 ? "A" : "", v & 0x40 ? "D" : "", isPde && v & 0x80 ? "PS" : ""].filter(Boolean).join(" ");
  return `${kind}[${index}] = ${hex8(v)}  ${v === 0 ? "none" : bits}  (${ENTRY_CLASSES[entryClass(v, isPde)]}) covers va ${hex8(va)}` +
    (v & 1 && !(isPde && v & 0x80) ? `  -> ${isPde ? "table" : "frame"} ${hex8(v & ~0xfff)}` : "");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
