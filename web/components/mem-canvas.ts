// Small shared pieces of the memory pictures: sizing a canvas for the
// device's pixel ratio, the colour tables, and hex formatting.

/** Sizes canvas to cssW x cssH CSS pixels (device pixels underneath) and returns its context scaled to CSS pixels. */
export function sizeCanvas(canvas: HTMLCanvasElement, cssW: number, cssH: number): CanvasRenderingContext2D {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = Math.max(1, Math.round(cssW * dpr)), h = Math.max(1, Math.round(cssH * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${cssW}px`;
    canvas.style.height = `${cssH}px`;
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  return ctx;
}

/** Colours of the address-space page states (monitor PageState order). */
export const PAGE_STATE_COLOURS = ["#232b34", "#4a86c5", "#3fbf5f", "#e8a33a", "#a47be6", "#e05555", "#8a96a3"];
/** Colours of the frame owners (monitor FrameOwner order). */
export const FRAME_OWNER_COLOURS = ["#1d242c", "#50565f", "#d8d060", "#e8773a", "#3fbf5f", "#a47be6", "#e05555", "#3fb4c4", "#9aa0a6"];
/** Colours of the fault decisions (kernel FAULT_DECISIONS order). */
export const DECISION_COLOURS = [
  "#3fbf5f", "#8a96a3", "#e8a33a", "#d8d060", "#a47be6", "#7fa8ff", "#ff9ad5",
  "#3fb4c4", "#5d6670", "#e05555", "#ff3030", "#c03090", "#ffffff",
];

/** 8 lowercase hex digits. */
export const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, "0");

/** Parses "#rrggbb" into [r, g, b]. */
export function rgb(colour: string): [number, number, number] {
  const n = parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * A legend: one swatch and name per entry, with a count after each name when
 * counts is given (entries at 0 hidden). The swatches are built once per set
 * of names; later calls only update the counts' text.
 */
export function renderLegend(el: HTMLElement, names: readonly string[], colours: readonly string[], counts?: ArrayLike<number>): void {
  const key = names.join("|");
  if (el.dataset.legend !== key) {
    el.dataset.legend = key;
    el.replaceChildren(...names.map((n, i) => {
      const s = document.createElement("span");
      s.className = "mem-key";
      const sw = document.createElement("i");
      sw.style.background = colours[i % colours.length];
      const count = document.createElement("b");
      s.append(sw, n, count);
      return s;
    }));
  }
  if (!counts) return;
  const spans = el.children;
  for (let i = 0; i < names.length && i < spans.length; i++) {
    const s = spans[i] as HTMLElement;
    const text = ` ${counts[i]}`;
    const b = s.lastChild as HTMLElement;
    if (b.textContent !== text) b.textContent = text;
    const hide = counts[i] === 0;
    if (s.hidden !== hide) s.hidden = hide;
  }
}
