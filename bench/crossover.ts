// The seed's warning, measured: with very many vm_areas the vma-driven fork
// (one reach through the page-table tree per area) may cost more than the
// classic walk of the whole range. Given fork_vmas measurements of classic
// and vma at a few V, find where vma stops being cheaper: extend V by doubling
// when vma is still cheaper at the largest V, then bisect the bracket.

import type { Crossover, CrossoverProbe } from "./suite-result.ts";

/** Measures one fork_vmas probe at V areas: cycles per fork under classic and vma. */
export type ProbeFn = (v: number) => CrossoverProbe;

export interface CrossoverOptions {
  /** Largest V the search may try when extending (the guest's max_map_count is 65530). */
  maxV: number;
  /** Bisection probes after a bracket is found. */
  bisectSteps: number;
  /** Stop bisecting when the bracket is this narrow (in V). */
  resolution: number;
}

const cheaper = (p: CrossoverProbe): boolean => p.vma < p.classic;

/** The crossover from the probes so far (sorted by V). */
export function summarize(probes: CrossoverProbe[]): Crossover {
  const ps = [...probes].sort((a, b) => a.v - b.v);
  let lastCheaper: number | null = null, firstSlower: number | null = null, estimate: number | null = null;
  const i = ps.findIndex((p) => !cheaper(p));
  if (i > 0) {
    const a = ps[i - 1], b = ps[i];
    lastCheaper = a.v;
    firstSlower = b.v;
    const da = a.vma - a.classic, db = b.vma - b.classic;
    estimate = Math.round(a.v + ((b.v - a.v) * -da) / (db - da));
  } else if (i === 0) {
    firstSlower = ps[0].v;
  } else if (ps.length) {
    lastCheaper = ps[ps.length - 1].v;
  }
  let summary: string;
  if (!ps.length) summary = "not measured (needs classic and vma).";
  else if (i < 0) summary = `vma is cheaper than classic at every V measured (up to V=${lastCheaper}); no crossover found.`;
  else if (i === 0) summary = `vma is already slower than classic at the smallest V measured (V=${firstSlower}).`;
  else
    summary =
      `vma becomes slower than classic between V=${lastCheaper} and V=${firstSlower} one-page vm_areas ` +
      `(interpolated crossover V≈${estimate}); ${ps.map((p) => `V=${p.v}: ${(p.vma / p.classic).toFixed(3)}`).join(", ")} (vma/classic cycles per fork+exit+wait).`;
  return { probes: ps, lastCheaper, firstSlower, estimate, summary };
}

/**
 * Starting from the given probes, extends and bisects with probe() until the
 * bracket is narrow or the step budget is spent. Returns the summary.
 */
export function findCrossover(initial: CrossoverProbe[], probe: ProbeFn, o: CrossoverOptions): Crossover {
  const probes = [...initial];
  const has = (v: number): boolean => probes.some((p) => p.v === v);
  let c = summarize(probes);
  // Extend while vma is still cheaper at the largest V.
  while (c.firstSlower === null && c.lastCheaper !== null && c.lastCheaper * 2 <= o.maxV) {
    probes.push(probe(c.lastCheaper * 2));
    c = summarize(probes);
  }
  for (let step = 0; step < o.bisectSteps; step++) {
    if (c.lastCheaper === null || c.firstSlower === null) break;
    if (c.firstSlower - c.lastCheaper <= o.resolution) break;
    // Bisect around the interpolated estimate when it is inside the bracket: it converges faster on near-linear costs.
    const mid = Math.round((c.lastCheaper + c.firstSlower) / 2);
    const guess = c.estimate !== null && c.estimate > c.lastCheaper && c.estimate < c.firstSlower ? c.estimate : mid;
    const v = step % 2 === 0 ? guess : mid;
    if (has(v)) break;
    probes.push(probe(v));
    c = summarize(probes);
  }
  return c;
}
