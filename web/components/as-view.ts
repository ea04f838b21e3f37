// The address-space picture: a process's areas in address order, each page
// one cell coloured by its state (monitor/memory-data.ts PageState), each
// area headed by its /proc/PID/maps-style line, and the gaps between areas
// as bands whose height grows with the log of their size (a 3 GiB gap is a
// few pixels taller than a 4 KiB one). Layout and hit testing are computed
// once per snapshot; drawing is one fillRect per cell.

import type { AsSnapshot } from "../memory-protocol.ts";
import { PAGE_STATE_COLOURS, hex8, sizeCanvas } from "./mem-canvas.ts";

const LABEL_H = 15;

interface Block {
  area: number;
  /** Top of the area's cells, in CSS pixels. */
  y: number;
  rows: number;
}

/** What a point of the picture is: an area's page (va) and its cell index. */
export interface AsHit {
  va: number;
  cell: number;
  area: number;
}

/** Lays out, draws and hit-tests one address-space snapshot at a time. */
export class AsView {
  private blocks: Block[] = [];
  private cs = 8;
  private cols = 1;
  private snap: AsSnapshot | null = null;

  /** Draws snap into canvas at width cssW; pinned (a cell index or -1) gets an outline. */
  draw(canvas: HTMLCanvasElement, snap: AsSnapshot, cssW: number, pinned: number): void {
    this.snap = snap;
    this.cs = cssW < 520 ? 6 : 8;
    this.cols = Math.max(8, Math.floor((cssW - 4) / this.cs));
    const blocks: Block[] = [];
    let y = 2;
    const gaps: { y: number; h: number; bytes: number }[] = [];
    for (let a = 0; a < snap.areas.length; a++) {
      const area = snap.areas[a];
      y += LABEL_H;
      const rows = Math.ceil(area.cells / this.cols);
      blocks.push({ area: a, y, rows });
      y += rows * this.cs;
      const next = snap.areas[a + 1];
      if (next) {
        const gapPages = (next.start - area.end) / 4096;
        const h = gapPages > 0 ? 4 + Math.round(1.5 * Math.log2(1 + gapPages)) : 3;
        gaps.push({ y, h, bytes: next.start - area.end });
        y += h;
      }
    }
    this.blocks = blocks;
    const ctx = sizeCanvas(canvas, cssW, Math.min(30000, y + 4));
    ctx.font = "11px ui-monospace, monospace";
    ctx.textBaseline = "bottom";
    const cs = this.cs, inner = cs - 1;
    for (const b of blocks) {
      const area = snap.areas[b.area];
      ctx.fillStyle = "#c9d1d9";
      const ppc = area.pagesPerCell > 1 ? `, ${area.pagesPerCell} pages/cell` : "";
      ctx.fillText(`${hex8(area.start)}-${hex8(area.end)} ${area.perms} ${area.name}  (${(area.end - area.start) / 4096}p${ppc}) ${area.flags.join(",")}`, 2, b.y - 2);
      let last = -1;
      for (let c = 0; c < area.cells; c++) {
        const s = snap.states[area.firstCell + c];
        if (s !== last) {
          ctx.fillStyle = PAGE_STATE_COLOURS[s] ?? "#fff";
          last = s;
        }
        ctx.fillRect(2 + (c % this.cols) * cs, b.y + Math.floor(c / this.cols) * cs, inner, inner);
      }
    }
    ctx.fillStyle = "#6e7681";
    for (const g of gaps) {
      ctx.fillRect(2, g.y + Math.floor(g.h / 2), this.cols * cs, 1);
      if (g.h >= 12) ctx.fillText(`gap ${sizeText(g.bytes)}`, this.cols * cs - 110, g.y + g.h - 1);
    }
    if (pinned >= 0) {
      const p = this.cellRect(pinned);
      if (p) {
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 2;
        ctx.strokeRect(p.x - 1, p.y - 1, inner + 2, inner + 2);
      }
    }
  }

  /** The page under point (x, y) in CSS pixels of the canvas, or null. */
  hit(x: number, y: number): AsHit | null {
    const snap = this.snap;
    if (!snap) return null;
    const col = Math.floor((x - 2) / this.cs);
    if (col < 0 || col >= this.cols) return null;
    for (const b of this.blocks) {
      if (y < b.y || y >= b.y + b.rows * this.cs) continue;
      const area = snap.areas[b.area];
      const c = Math.floor((y - b.y) / this.cs) * this.cols + col;
      if (c >= area.cells) return null;
      return { va: (area.start + c * area.pagesPerCell * 4096) >>> 0, cell: area.firstCell + c, area: b.area };
    }
    return null;
  }

  /** The cell holding va (index into states), or -1. */
  cellOf(va: number): number {
    const snap = this.snap;
    if (!snap) return -1;
    for (const a of snap.areas) {
      if (va >= a.start && va < a.end) return a.firstCell + Math.floor((va - a.start) / 4096 / a.pagesPerCell);
    }
    return -1;
  }

  /** Top-left corner of a cell in CSS pixels of the canvas, or null. */
  cellRect(cell: number): { x: number; y: number; size: number } | null {
    const snap = this.snap;
    if (!snap) return null;
    for (const b of this.blocks) {
      const a = snap.areas[b.area];
      if (cell < a.firstCell || cell >= a.firstCell + a.cells) continue;
      const c = cell - a.firstCell;
      return { x: 2 + (c % this.cols) * this.cs, y: b.y + Math.floor(c / this.cols) * this.cs, size: this.cs - 1 };
    }
    return null;
  }
}

/** "12 KiB", "3.5 MiB", "2.9 GiB". */
export function sizeText(bytes: number): string {
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(1)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
