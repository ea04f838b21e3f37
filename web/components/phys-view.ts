// The physical memory picture: every frame of guest RAM one square, coloured
// by its owner (monitor/memory-data.ts FrameOwner), row after row in pfn
// order. Drawn as one pixel per frame into a reused ImageData, then scaled
// up without smoothing: one putImageData and one drawImage per snapshot.

import { FRAME_OWNER_COLOURS, rgb, sizeCanvas } from "./mem-canvas.ts";

const PALETTE = FRAME_OWNER_COLOURS.map(rgb);

/** Draws the frame-owner map and maps points back to pfns. */
export class PhysView {
  private cs = 4;
  private cols = 1;
  private n = 0;
  private image: ImageData | null = null;
  private readonly scratch = document.createElement("canvas");

  /** Draws owners (index pfn) at width cssW; pinned (a pfn or -1) gets an outline. */
  draw(canvas: HTMLCanvasElement, owners: Uint8Array, cssW: number, pinned: number): void {
    const n = owners.length;
    this.n = n;
    this.cs = cssW < 520 ? 3 : 4;
    this.cols = Math.max(16, Math.floor((cssW - 4) / this.cs));
    const rows = Math.ceil(n / this.cols);
    if (!this.image || this.image.width !== this.cols || this.image.height !== rows) {
      this.image = new ImageData(this.cols, rows);
      this.scratch.width = this.cols;
      this.scratch.height = rows;
    }
    const px = this.image.data;
    for (let pfn = 0; pfn < n; pfn++) {
      const c = PALETTE[owners[pfn]] ?? PALETTE[0];
      const o = pfn * 4;
      px[o] = c[0];
      px[o + 1] = c[1];
      px[o + 2] = c[2];
      px[o + 3] = 255;
    }
    for (let o = n * 4; o < px.length; o += 4) px[o + 3] = 0;
    this.scratch.getContext("2d")!.putImageData(this.image, 0, 0);
    const ctx = sizeCanvas(canvas, cssW, rows * this.cs + 4);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.scratch, 2, 2, this.cols * this.cs, rows * this.cs);
    if (pinned >= 0 && pinned < n) {
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 2;
      ctx.strokeRect(2 + (pinned % this.cols) * this.cs - 2, 2 + Math.floor(pinned / this.cols) * this.cs - 2, this.cs + 4, this.cs + 4);
    }
  }

  /** The pfn under (x, y) in CSS pixels, or -1. */
  hit(x: number, y: number): number {
    const col = Math.floor((x - 2) / this.cs), row = Math.floor((y - 2) / this.cs);
    if (col < 0 || col >= this.cols || row < 0) return -1;
    const pfn = row * this.cols + col;
    return pfn < this.n ? pfn : -1;
  }

  /** Centre of frame pfn's square in CSS pixels. */
  centre(pfn: number): { x: number; y: number } {
    return { x: 2 + (pfn % this.cols) * this.cs + this.cs / 2, y: 2 + Math.floor(pfn / this.cols) * this.cs + this.cs / 2 };
  }
}
