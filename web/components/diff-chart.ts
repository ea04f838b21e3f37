// The design diff as pictures (system/diff-designs.ts computes it, the same
// comparison `vmalab diff-designs` prints): a summary line; per process, one
// strip per design with its page faults lined up across the designs (each
// fault a cell coloured by the kernel's decision, a gap where a design took
// none, a red tick above where the designs differ, a line at the first
// divergence); then the page-table work and the other counters as bars per
// design, each counter scaled to its own largest value. SVG built with DOM
// calls; hovering a cell or bar tells its numbers.

import { statusText, type DesignDiff } from "../../system/diff-designs.ts";
import { FAULT_DECISIONS, type FaultDecision } from "../../kernel/mm/counters.ts";
import { DECISION_COLOURS, hex8, renderLegend } from "./mem-canvas.ts";
import { DESIGN_COLOURS, formatCycles } from "./bench-chart.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const LABEL_W = 150;
const PLOT_W = 600;
const STRIP_H = 12;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const decisionColour = (d: FaultDecision): string => DECISION_COLOURS[FAULT_DECISIONS.indexOf(d)] ?? "#fff";

/** The summary: what ran, whether the output agreed, where the designs part ways. */
function summary(d: DesignDiff): HTMLElement {
  const p = document.createElement("p");
  p.className = "diff-summary";
  const same = d.outputsIdentical && d.statusesIdentical;
  const lines = [
    `${d.argv.join(" ")} under ${d.designs.join(", ")}: ${same ? `the same output under every design (${statusText(d.runs[0])})` : `NOT the same output (${d.runs.map((r) => `${r.design} ${statusText(r)}`).join(", ")})`}`,
  ];
  const fd = d.firstDivergence;
  if (fd) {
    const g = d.pids.find((x) => x.pid === fd.pid)!;
    const row = g.rows[fd.row];
    const each = row.faults.map((i, j) => `${d.designs[j]} ${i === null ? "none" : d.runs[j].faults[i].decision}`).join(", ");
    lines.push(`first divergence: pid ${fd.pid} (${g.comm}) fault #${fd.row + 1}, ${hex8(row.address)} ${row.write ? "write" : "read"}: ${each}`);
  } else lines.push("every page fault the same under every design");
  const bad = d.runs.filter((r) => r.frameCheck.length > 0);
  if (bad.length > 0) lines.push(`frame accounting broken under ${bad.map((r) => r.design).join(", ")}: ${bad[0].frameCheck[0]}`);
  p.textContent = lines.join("\n");
  return p;
}

/** Per pid: the aligned faults, one strip per design (consecutive cells of one decision drawn as one rect). */
function faultStrips(d: DesignDiff): SVGSVGElement {
  const nd = d.designs.length;
  const groupH = 18 + 6 + nd * STRIP_H + 12;
  const svg = el("svg", { width: LABEL_W + PLOT_W + 60, height: 8 + d.pids.length * groupH, class: "diff-faults", role: "img" });
  d.pids.forEach((g, gi) => {
    const y0 = 8 + gi * groupH;
    const n = g.rows.length;
    const cw = PLOT_W / Math.max(1, n);
    svg.appendChild(el("text", { x: 0, y: y0 + 12, class: "chart-label" }, `pid ${g.pid} (${g.comm}): ${g.counts.map((c, j) => `${d.designs[j]} ${c}`).join(", ")} faults`));
    const ticksY = y0 + 18;
    g.rows.forEach((row, r) => {
      if (row.differs) svg.appendChild(el("rect", { x: LABEL_W + r * cw, y: ticksY, width: Math.max(1, cw), height: 4, fill: "#e05555", class: "diff-tick" }));
    });
    d.designs.forEach((design, j) => {
      const y = ticksY + 6 + j * STRIP_H;
      svg.appendChild(el("text", { x: LABEL_W - 6, y: y + STRIP_H - 3, "text-anchor": "end", class: "chart-label" }, `mm=${design}`));
      const strip = el("g", { "data-design": design, "data-faults": g.counts[j], class: "diff-strip" });
      let r = 0;
      while (r < n) {
        const i = g.rows[r].faults[j];
        const decision = i === null ? null : d.runs[j].faults[i].decision;
        let end = r + 1;
        while (end < n && ((g.rows[end].faults[j] === null ? null : d.runs[j].faults[g.rows[end].faults[j]!].decision) === decision)) end++;
        if (decision !== null) {
          const rect = el("rect", { x: LABEL_W + r * cw, y, width: Math.max(1, (end - r) * cw), height: STRIP_H - 2, fill: decisionColour(decision) });
          const f = d.runs[j].faults[i!];
          const what = end - r === 1 ? `#${r + 1} ${hex8(f.address)} ${f.error & 2 ? "write" : "read"} ${f.vma ?? "(no area)"}: ${decision}, ${f.cycles} cycles` : `#${r + 1}–#${end}: ${end - r} faults, ${decision}`;
          rect.appendChild(el("title", {}, `mm=${design} ${what}`));
          strip.appendChild(rect);
        }
        r = end;
      }
      svg.appendChild(strip);
    });
    if (d.firstDivergence?.pid === g.pid) {
      const x = LABEL_W + d.firstDivergence.row * cw;
      svg.appendChild(el("line", { x1: x, x2: x, y1: ticksY - 2, y2: ticksY + 6 + nd * STRIP_H, stroke: "#fff", "stroke-dasharray": "2 2", class: "diff-first" }));
    }
  });
  return svg;
}

/** The counters (page-table work first, as the table orders them) as bars per design. */
function counterBars(d: DesignDiff): SVGSVGElement {
  const nd = d.designs.length;
  const barH = 10;
  const rowH = nd * barH + 8;
  const svg = el("svg", { width: LABEL_W + PLOT_W + 60, height: 8 + d.counters.length * rowH, class: "diff-counters", role: "img" });
  d.counters.forEach((c, ci) => {
    const y0 = 8 + ci * rowH;
    svg.appendChild(el("text", { x: LABEL_W - 6, y: y0 + (nd * barH) / 2 + 4, "text-anchor": "end", class: c.differs ? "chart-label diff-differs" : "chart-label" }, `${c.differs ? "* " : ""}${c.name}`));
    const max = Math.max(1, ...c.values);
    c.values.forEach((v, j) => {
      const w = Math.max(v > 0 ? 1 : 0, (v / max) * PLOT_W);
      const bar = el("rect", { x: LABEL_W, y: y0 + j * barH, width: w, height: barH - 2, fill: DESIGN_COLOURS[d.designs[j]] ?? "#999" });
      bar.appendChild(el("title", {}, `${c.name} mm=${d.designs[j]}: ${v}`));
      svg.appendChild(bar);
      svg.appendChild(el("text", { x: LABEL_W + w + 4, y: y0 + j * barH + barH - 2, class: "chart-value" }, formatCycles(v)));
    });
  });
  return svg;
}

/** A legend of colours: designs, then the decisions the runs took. */
function legend(d: DesignDiff): HTMLElement {
  const div = document.createElement("div");
  div.className = "mem-legend";
  const taken = FAULT_DECISIONS.filter((x) => d.runs.some((r) => r.faults.some((f) => f.decision === x)));
  const names = [...d.designs.map((x) => `mm=${x}`), ...taken, "designs differ"];
  renderLegend(div, names, [...d.designs.map((x) => DESIGN_COLOURS[x] ?? "#999"), ...taken.map(decisionColour), "#e05555"]);
  return div;
}

/** The whole picture of a comparison. */
export function renderDiffChart(d: DesignDiff): HTMLElement {
  const root = document.createElement("div");
  root.className = "diff-chart";
  const h = (text: string) => Object.assign(document.createElement("h3"), { textContent: text });
  root.append(summary(d), legend(d), h("page faults, lined up across the designs"), faultStrips(d), h("page-table work and counters (* the designs differ)"), counterBars(d));
  return root;
}
