// The suite's results as an SVG bar chart: one group of bars per benchmark,
// one bar per design (guest cycles per operation), a logarithmic y axis when
// the values span more than 20x, labeled axes and a legend. Plain SVG 1.1, no
// scripts, no external fonts, so it renders on GitHub and in any browser.

import type { MmDesignName } from "../kernel/mm/designs.ts";
import type { SuiteResults } from "./suite-result.ts";

const COLORS: Record<MmDesignName, string> = {
  classic: "#8c564b",
  vma: "#1f77b4",
  lazy: "#2ca02c",
  sharedpt: "#ff7f0e",
};

const BAR = 11;
const GROUP_GAP = 14;
const LEFT = 78;
const RIGHT = 20;
const TOP = 52;
const PLOT_H = 300;
const BOTTOM = 125;

/** XML text with &, <, > and quotes escaped. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface Scale {
  log: boolean;
  y(v: number): number;
  ticks: number[];
}

function makeScale(values: number[]): Scale {
  const pos = values.filter((v) => v > 0);
  const max = pos.length ? Math.max(...pos) : 1;
  const min = pos.length ? Math.min(...pos) : 1;
  if (max / min > 20) {
    const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
    const span = Math.max(1, hi - lo);
    const ticks: number[] = [];
    for (let e = lo; e <= hi; e++) for (const m of e < hi ? [1, 2, 5] : [1]) ticks.push(m * 10 ** e);
    return { log: true, y: (v) => TOP + PLOT_H - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / span) * PLOT_H, ticks };
  }
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(t);
  return { log: false, y: (v) => TOP + PLOT_H - (v / top) * PLOT_H, ticks };
}

function tickLabel(v: number): string {
  if (v >= 1e6 && v % 1e6 === 0) return `${v / 1e6}M`;
  if (v >= 1e3 && v % 1e3 === 0) return `${v / 1e3}k`;
  return String(Number(v.toPrecision(3)));
}

/** The chart as an SVG document. Bars are <rect class="bar" data-case=ID data-design=NAME>. */
export function renderChart(r: SuiteResults): string {
  const ds = r.meta.designs;
  const groupW = ds.length * BAR + GROUP_GAP;
  const width = LEFT + r.cases.length * groupW + RIGHT;
  const height = TOP + PLOT_H + BOTTOM;
  const values = r.cases.flatMap((c) => ds.map((d) => c.designs[d]?.cyclesPerOp ?? 0));
  const s = makeScale(values);
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${xmlEscape(`vmalab: guest cycles per operation by memory-manager design (${r.meta.size} run)`)}</text>`,
  );
  // Grid and y axis.
  for (const t of s.ticks) {
    const y = s.y(t).toFixed(1);
    out.push(`<line x1="${LEFT}" y1="${y}" x2="${width - RIGHT}" y2="${y}" stroke="#dddddd"/>`);
    out.push(`<text x="${LEFT - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>`);
  }
  out.push(`<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + PLOT_H}" stroke="#000000"/>`);
  out.push(`<line x1="${LEFT}" y1="${TOP + PLOT_H}" x2="${width - RIGHT}" y2="${TOP + PLOT_H}" stroke="#000000"/>`);
  const yTitle = `guest cycles per operation${s.log ? " (log scale)" : ""}`;
  out.push(
    `<text x="16" y="${TOP + PLOT_H / 2}" text-anchor="middle" transform="rotate(-90 16 ${TOP + PLOT_H / 2})">${xmlEscape(yTitle)}</text>`,
  );
  // Bars.
  r.cases.forEach((c, gi) => {
    const x0 = LEFT + GROUP_GAP / 2 + gi * groupW;
    ds.forEach((d, bi) => {
      const v = c.designs[d]?.cyclesPerOp;
      if (v === undefined) return;
      const y = s.y(v);
      const h = TOP + PLOT_H - y;
      out.push(
        `<rect class="bar" data-case="${xmlEscape(c.id)}" data-design="${d}" x="${(x0 + bi * BAR).toFixed(1)}" y="${y.toFixed(1)}" width="${BAR - 1}" height="${Math.max(0, h).toFixed(1)}" fill="${COLORS[d]}"><title>${xmlEscape(`${c.id}, mm=${d}: ${Math.round(v)} cycles/op`)}</title></rect>`,
      );
    });
    const lx = x0 + (ds.length * BAR) / 2, ly = TOP + PLOT_H + 10;
    const label = c.param === "-" ? c.program : c.id;
    out.push(`<text x="${lx.toFixed(1)}" y="${ly}" text-anchor="end" transform="rotate(-45 ${lx.toFixed(1)} ${ly})">${xmlEscape(label)}</text>`);
  });
  out.push(`<text x="${(LEFT + width - RIGHT) / 2}" y="${height - 10}" text-anchor="middle">benchmark (parameter)</text>`);
  // Legend.
  ds.forEach((d, i) => {
    const x = width - RIGHT - 90 * (ds.length - i);
    out.push(`<rect x="${x}" y="30" width="12" height="12" fill="${COLORS[d]}"/>`);
    out.push(`<text x="${x + 16}" y="40">${d}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
