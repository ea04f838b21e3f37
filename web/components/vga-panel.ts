// The VGA text panel: 80x25 cells drawn as rows of coloured spans from the
// character and attribute bytes (foreground low nibble, background bits 4-6,
// bit 7 blink shown as a bright background, as with blinking disabled).

import type { VgaFrame } from "../protocol.ts";

/** The 16 CGA text colours. */
const PALETTE = [
  "#000000", "#0000aa", "#00aa00", "#00aaaa", "#aa0000", "#aa00aa", "#aa5500", "#aaaaaa",
  "#555555", "#5555ff", "#55ff55", "#55ffff", "#ff5555", "#ff55ff", "#ffff55", "#ffffff",
];

export class VgaPanel {
  private readonly rows: HTMLDivElement[] = [];
  private lastKey = "";

  constructor(root: HTMLElement) {
    root.classList.add("vga");
    for (let r = 0; r < 25; r++) {
      const row = document.createElement("div");
      row.className = "vga-row";
      root.appendChild(row);
      this.rows.push(row);
    }
  }

  /** Redraws rows that changed since the last frame. */
  draw(frame: VgaFrame): void {
    for (let r = 0; r < 25; r++) {
      const key = frame.lines[r] + String.fromCharCode(...frame.attributes.subarray(r * 80, r * 80 + 80)) + (frame.cursor.row === r ? frame.cursor.col : -1);
      if (this.rows[r].dataset.key === key) continue;
      this.rows[r].dataset.key = key;
      this.rows[r].replaceChildren(...this.rowSpans(frame, r));
    }
    this.lastKey = frame.lines.join("\n");
  }

  /** The text shown (25 lines), for tests. */
  get text(): string {
    return this.lastKey;
  }

  private rowSpans(frame: VgaFrame, r: number): HTMLSpanElement[] {
    const spans: HTMLSpanElement[] = [];
    const line = Array.from(frame.lines[r]);
    let c = 0;
    while (c < 80) {
      const attr = frame.attributes[r * 80 + c];
      const cursorHere = frame.cursor.visible && frame.cursor.row === r;
      let end = c + 1;
      while (end < 80 && frame.attributes[r * 80 + end] === attr && !(cursorHere && (end === frame.cursor.col || c === frame.cursor.col))) end++;
      const span = document.createElement("span");
      span.textContent = line.slice(c, end).join("");
      span.style.color = PALETTE[attr & 0x0f];
      span.style.backgroundColor = PALETTE[(attr >> 4) & 0x0f];
      if (cursorHere && c === frame.cursor.col) span.classList.add("vga-cursor");
      spans.push(span);
      c = end;
    }
    return spans;
  }
}
