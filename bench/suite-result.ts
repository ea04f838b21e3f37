// The shape of a suite run's results: what bench/results/results.json holds
// and what the table and the chart are drawn from.

import type { MmDesignName } from "../kernel/mm/designs.ts";
import type { DesignResult } from "./measure.ts";
import type { NativeResult } from "./native.ts";
import type { CaseArgs, SuiteSize } from "./suite.ts";

export interface CaseResult {
  id: string;
  program: string;
  param: string;
  op: string;
  args: CaseArgs;
  memorySize: number | null;
  /** Per design that ran without error. */
  designs: Partial<Record<MmDesignName, DesignResult>>;
  /** Per design that failed: the message. */
  errors: Partial<Record<MmDesignName, string>>;
  native: NativeResult | null;
  /** The result line (minus measurements) was the same under every design that ran; null with < 2 designs. */
  outputsIdentical: boolean | null;
}

/** One fork_vmas probe of the crossover search: cycles per fork under classic and vma. */
export interface CrossoverProbe {
  v: number;
  classic: number;
  vma: number;
}

export interface Crossover {
  /** Every probe, sorted by V. */
  probes: CrossoverProbe[];
  /** Largest probed V where vma is cheaper than classic, and smallest where it is not (null: none found). */
  lastCheaper: number | null;
  firstSlower: number | null;
  /** Where the two straight lines through the bracketing probes cross (null when not bracketed). */
  estimate: number | null;
  /** One sentence for the table and the README. */
  summary: string;
}

export interface SuiteResults {
  meta: {
    date: string;
    commit: string | null;
    node: string;
    host: string;
    size: SuiteSize;
    designs: MmDesignName[];
    cpuHz: number;
    command: string;
    /** Host seconds the whole run took. */
    wallSeconds: number;
    /** Why the native column is empty ("" when it is filled). */
    nativeNote: string;
  };
  cases: CaseResult[];
  crossover: Crossover | null;
}
