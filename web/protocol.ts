// Messages between the page and the machine worker. The page never touches
// the machine; it sends these requests and renders what comes back.

import type { BenchResult } from "./components/bench-chart.ts";

export type MmDesign = "classic" | "vma" | "lazy" | "sharedpt";
export const MM_DESIGNS: readonly MmDesign[] = ["classic", "vma", "lazy", "sharedpt"];

/** What to boot: the real kernel with a command line, or the echo fixture kernel. */
export interface BootRequest {
  type: "boot";
  guest: "kernel" | "fixture";
  design: MmDesign;
  /** Extra kernel command-line words (after mm=<design>). */
  cmdline: string;
  /** Absolute URL of initramfs.cpio (resolved by the page against its own address). */
  initramfsUrl: string;
  rows: number;
  cols: number;
}

export type ToWorker =
  | BootRequest
  | { type: "input"; bytes: Uint8Array }
  | { type: "resize"; rows: number; cols: number }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "monitor"; id: number; line: string }
  | { type: "vga" }
  | { type: "bench"; benchmarks: string[]; designs: MmDesign[] };

/** Twice a second: what the status bar shows. */
export interface Status {
  running: boolean;
  /** Guest instructions per host second, in millions, over the last interval. */
  mips: number;
  /** Guest seconds since boot. */
  guestSeconds: number;
  cycles: number;
  /** Page faults per guest second by decision (demand-zero, cow-copy, ...), only non-zero kinds. */
  faultsPerSecond: Record<string, number>;
  /** Free RAM in bytes (null when the guest has no kernel to ask). */
  freeBytes: number | null;
  /** Live processes (null without a kernel). */
  processes: number | null;
  design: string;
  guest: string;
}

export interface VgaFrame {
  chars: Uint8Array;
  attributes: Uint8Array;
  lines: string[];
  cursor: { row: number; col: number; visible: boolean };
}

export type FromWorker =
  | { type: "console"; bytes: Uint8Array }
  | { type: "booted"; guest: string; design: string; cmdline: string }
  | { type: "status"; status: Status }
  | { type: "monitor-result"; id: number; text: string }
  | { type: "monitor-async"; text: string }
  | { type: "vga"; frame: VgaFrame }
  | { type: "bench-progress"; done: number; total: number; label: string }
  | { type: "bench-result"; results: BenchResult[] }
  | { type: "error"; kind: "exception" | "panic" | "boot" | "halted"; message: string };
