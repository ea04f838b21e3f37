// The benchmark chart: grouped horizontal bars, one group per benchmark and
// one bar per memory-manager design, length = guest cycles per operation.
// Pure SVG built with DOM calls (no library).

export interface BenchResult {
  /** Benchmark and parameter, e.g. "fork_exit" or "fork_touch k=256". */
  benchmark: string;
  design: string;
  cyclesPerOp: number;
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** One colour per memory-manager design, in every chart. */
export const DESIGN_COLOURS: Record<string, string> = {
  classic: "#d06b4f",
  vma: "#4f8fd0",
  lazy: "#63a35c",
  sharedpt: "#b48ad6",
};

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Formats a cycle count compactly (1234 -> "1.23k", 2500000 -> "2.50M"). */
export function formatCycles(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}k`;
  return String(Math.round(n));
}

/** A new <svg> chart of results (an empty-state message when there are none). */
export function renderBenchChart(results: readonly BenchResult[]): SVGSVGElement {
  const benchmarks = [...new Set(results.map((r) => r.benchmark))];
  const designs = [...new Set(results.map((r) => r.design))];
  const barH = 16;
  const groupGap = 14;
  const labelW = 170;
  const plotW = 520;
  const valueW = 70;
  const top = 28;
  const groupH = designs.length * barH + groupGap;
  const height = top + Math.max(1, benchmarks.length) * groupH + 10;
  const svg = el("svg", { width: labelW + plotW + valueW, height, class: "bench-chart", role: "img" });
  if (results.length === 0) {
    svg.appendChild(el("text", { x: 10, y: 20, class: "chart-empty" }, "no results yet"));
    return svg;
  }
  designs.forEach((d, i) => {
    const x = labelW + i * 110;
    svg.appendChild(el("rect", { x, y: 6, width: 12, height: 12, fill: DESIGN_COLOURS[d] ?? "#999" }));
    svg.appendChild(el("text", { x: x + 16, y: 16, class: "chart-legend" }, `mm=${d}`));
  });
  const max = Math.max(...results.map((r) => r.cyclesPerOp), 1);
  benchmarks.forEach((b, bi) => {
    const y0 = top + bi * groupH;
    svg.appendChild(el("text", { x: labelW - 8, y: y0 + (designs.length * barH) / 2 + 4, "text-anchor": "end", class: "chart-label" }, b));
    designs.forEach((d, di) => {
      const r = results.find((x) => x.benchmark === b && x.design === d);
      if (!r) return;
      const w = Math.max(1, (r.cyclesPerOp / max) * plotW);
      const y = y0 + di * barH;
      const bar = el("rect", { x: labelW, y, width: w, height: barH - 3, fill: DESIGN_COLOURS[d] ?? "#999", class: "chart-bar" });
      bar.appendChild(el("title", {}, `${b} mm=${d}: ${r.cyclesPerOp} cycles/op`));
      svg.appendChild(bar);
      svg.appendChild(el("text", { x: labelW + w + 4, y: y + barH - 5, class: "chart-value" }, formatCycles(r.cyclesPerOp)));
    });
  });
  return svg;
}
