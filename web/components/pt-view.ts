// The page-table picture: the process's page directory as a 32 x 32 grid of
// PDEs and, for a chosen PDE, its page table as a 32 x 32 grid of PTEs, each
// entry coloured by its bits (not present, swap entry, present read-only /
// writable, user or supervisor, accessed, dirty, 4 MiB). Outlined: a PDE
// whose table another address space shares (sharedpt), and entries with a
// stale TLB entry (the TLB still holds a translation the tables no longer give).

import { sizeCanvas } from "./mem-canvas.ts";

/** Entry classes, by colour index. */
export const ENTRY_CLASSES = ["empty", "swap entry", "present RO", "present RW", "present RW dirty", "supervisor (kernel)", "4 MiB page", "accessed (outline)"];
export const ENTRY_COLOURS = ["#1d242c", "#e05555", "#4a86c5", "#3fbf5f", "#b8e05a", "#6b5d8a", "#d8d060", "#ffffff"];
/** Outlines: a shared page table, a stale TLB entry. */
export const MARK_NAMES = ["table shared (outline)", "stale TLB entry (outline)"];
export const MARK_COLOURS = ["#c58cff", "#ff4040"];

/** What is outlined: PDEs whose table is shared, user linear addresses with a stale TLB entry. */
export interface PtMarks {
  sharedTables: Uint8Array;
  staleTlb: Uint32Array;
}

/** The colour class of a PDE or PTE (swap entries are non-zero non-present PTEs). */
export function entryClass(v: number, isPde: boolean): number {
  if (!(v & 1)) return v === 0 || isPde ? 0 : 1;
  if (isPde && v & 0x80) return 6;
  if (!(v & 4)) return 5;
  if (!(v & 2)) return 2;
  return !isPde && v & 0x40 ? 4 : 3;
}

/** Draws a page directory and one of its page tables as two 32 x 32 grids. */
export class PtView {
  private cs = 12;
  private top = 0;
  private bottom = 0;

  /** Draws the directory pdes and (when not null) the table of PDE pdi, with marks outlined. */
  draw(canvas: HTMLCanvasElement, pdes: Uint32Array, table: Uint32Array | null, pdi: number, cssW: number, marks: PtMarks): void {
    this.cs = Math.max(6, Math.min(14, Math.floor((Math.min(cssW, 900) - 8) / 2 / 32)));
    const side = this.cs * 32;
    const twoCols = cssW >= side * 2 + 24;
    this.top = 18;
    this.bottom = twoCols ? 18 : 18 + side + 24;
    const h = twoCols ? side + 22 : side * 2 + 46;
    const ctx = sizeCanvas(canvas, cssW, h);
    ctx.font = "11px ui-monospace, monospace";
    ctx.textBaseline = "top";
    ctx.fillStyle = "#c9d1d9";
    ctx.fillText("page directory (1024 PDEs, 4 MiB each)", 2, 2);
    this.grid(ctx, 2, this.top, pdes, true, pdi);
    const stalePdes = new Set<number>();
    for (const va of marks.staleTlb) stalePdes.add(va >>> 22);
    for (let i = 0; i < 1024; i++) {
      if (marks.sharedTables[i]) this.outline(ctx, 2, this.top, i, MARK_COLOURS[0]);
      if (stalePdes.has(i)) this.outline(ctx, 2, this.top, i, MARK_COLOURS[1]);
    }
    const x2 = twoCols ? side + 20 : 2;
    ctx.fillStyle = "#c9d1d9";
    ctx.fillText(table ? `page table of PDE[${pdi}] (va ${(pdi * 4).toString()} MiB..)` : "click a present PDE", x2, this.bottom - 16);
    if (table) {
      this.grid(ctx, x2, this.bottom, table, false, -1);
      for (const va of marks.staleTlb) if (va >>> 22 === pdi) this.outline(ctx, x2, this.bottom, (va >>> 12) & 1023, MARK_COLOURS[1]);
    }
    this.x2 = x2;
  }

  private outline(ctx: CanvasRenderingContext2D, x0: number, y0: number, i: number, colour: string): void {
    const cs = this.cs;
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x0 + (i % 32) * cs + 0.75, y0 + Math.floor(i / 32) * cs + 0.75, cs - 2.5, cs - 2.5);
  }

  private x2 = 0;

  private grid(ctx: CanvasRenderingContext2D, x0: number, y0: number, entries: Uint32Array, isPde: boolean, mark: number): void {
    const cs = this.cs;
    for (let i = 0; i < 1024; i++) {
      const v = entries[i];
      const x = x0 + (i % 32) * cs, y = y0 + Math.floor(i / 32) * cs;
      ctx.fillStyle = ENTRY_COLOURS[entryClass(v, isPde)];
      ctx.fillRect(x, y, cs - 1, cs - 1);
      if (v & 1 && v & 0x20 && cs >= 8) {
        ctx.fillStyle = "#0b0e11";
        ctx.fillRect(x + 2, y + 2, 2, 2);
      }
    }
    if (mark >= 0) {
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 + (mark % 32) * cs - 1, y0 + Math.floor(mark / 32) * cs - 1, cs + 1, cs + 1);
    }
  }

  /** Centre of an entry's square in CSS pixels of the canvas. */
  centre(table: "pd" | "pt", index: number): { x: number; y: number } {
    const x0 = table === "pd" ? 2 : this.x2, y0 = table === "pd" ? this.top : this.bottom;
    return { x: x0 + (index % 32) * this.cs + this.cs / 2, y: y0 + Math.floor(index / 32) * this.cs + this.cs / 2 };
  }

  /** Which grid and entry (x, y) is over, or null. */
  hit(x: number, y: number): { table: "pd" | "pt"; index: number } | null {
    const side = this.cs * 32;
    const test = (x0: number, y0: number): number => {
      if (x < x0 || y < y0 || x >= x0 + side || y >= y0 + side) return -1;
      return Math.floor((y - y0) / this.cs) * 32 + Math.floor((x - x0) / this.cs);
    };
    const a = test(2, this.top);
    if (a >= 0) return { table: "pd", index: a };
    const b = test(this.x2, this.bottom);
    if (b >= 0) return { table: "pt", index: b };
    return null;
  }
}
