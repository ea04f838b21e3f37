// Messages between the page and the machine worker. The page never touches
// the machine; it sends these requests and renders what comes back.

import type { BenchResult } from "./components/bench-chart.ts";
import { MM_DESIGNS, type MmDesignName } from "../kernel/mm/design-names.ts";
import type { MemQuery, MemReply, MemSnapshot, MemView } from "./memory-protocol.ts";
import type { DesignDiff } from "../system/diff-designs.ts";
import type { ForkTraceData } from "../monitor/fork-trace.ts";

export type MmDesign = MmDesignName;
export { MM_DESIGNS };

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
  /** Start from this snapshot stored in the browser instead (its design and command line win over the fields above). */
  snapshot?: string;
  /** Run hot guest code compiled by the block compiler (the default; false: the page's `?jit=0`, the CLI's --no-jit). */
  jit?: boolean;
}

/** A whole-machine snapshot stored in the browser (web/worker/snapshot-store.ts). */
export interface SnapshotInfo {
  name: string;
  /** When it was saved, in milliseconds since the epoch. */
  savedAt: number;
  /** Guest cycles since boot at the save. */
  cycles: number;
  /** The kernel command line it was booted with ("mm=<design> ..."). */
  cmdline: string;
  /** The snapshot file's size in bytes. */
  size: number;
}

export type ToWorker =
  | BootRequest
  | { type: "input"; bytes: Uint8Array }
  | { type: "resize"; rows: number; cols: number }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "monitor"; id: number; line: string }
  | { type: "vga" }
  | { type: "bench"; benchmarks: string[]; designs: MmDesign[] }
  /** Run one program (argv[0] a guest path) under each design from the same fresh boot and compare (system/diff-designs.ts). */
  | { type: "diff"; argv: string[]; designs: MmDesign[] }
  /** Record the first fork of a program (argv[0] a guest path) under each design, each from a fresh boot (monitor/fork-trace.ts). */
  | { type: "fork-trace"; argv: string[]; designs: MmDesign[] }
  /** The memory picture selected (null: none), its process, and whether it is on screen (snapshots only then). */
  | { type: "mem-view"; view: MemView | null; pid: number; open: boolean }
  | { type: "mem-query"; id: number; query: MemQuery }
  | SnapshotRequest
  | FileRequest;

/**
 * Snapshots in the browser. Save stores the running machine under a name
 * (replacing one of that name); import stores a snapshot file from this
 * computer after checking it; export answers with the file as a Blob. Each
 * gets one snapshot-result (export: snapshot-file on success), and every
 * change a new snapshot list.
 */
export type SnapshotRequest =
  | { type: "snapshot-save"; name: string }
  | { type: "snapshot-delete"; name: string }
  | { type: "snapshot-import"; name: string; bytes: Uint8Array }
  | { type: "snapshot-export"; name: string };

/**
 * File transfers between the page and the guest's file tree (web/worker/file-transfers.ts).
 * The page numbers each transfer (id) and sends one request at a time per transfer; every
 * request gets exactly one FileReply. Upload: open (the final guest path), write chunks,
 * close with commit (rename into place) or without (drop it). Download: open, read until the
 * reply that carries the file as a Blob, close.
 */
export type FileRequest =
  | { type: "upload-open"; id: number; path: string }
  | { type: "upload-write"; id: number; bytes: Uint8Array }
  | { type: "upload-close"; id: number; commit: boolean }
  | { type: "download-open"; id: number; path: string }
  | { type: "download-read"; id: number }
  | { type: "download-close"; id: number };

/**
 * The answer to a FileRequest: done = bytes moved so far; size = the file's size (download-open;
 * 0 when unknown); blob = the whole downloaded file, in the reply to the download-read that found
 * its end (the worker assembles it, so the page never copies the bytes on its thread).
 */
export type FileReply =
  | { type: "file-reply"; id: number; ok: true; done: number; size: number; blob: Blob | null }
  | { type: "file-reply"; id: number; ok: false; message: string };

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
  /** Regions the block compiler has compiled since boot; null when it is off. */
  regions: number | null;
  /** The share (0 to 1) of the interval's instructions that compiled regions retired; null when it is off or none ran. */
  compiledShare: number | null;
}

export interface VgaFrame {
  chars: Uint8Array;
  attributes: Uint8Array;
  lines: string[];
  cursor: { row: number; col: number; visible: boolean };
}

export type FromWorker =
  | { type: "console"; bytes: Uint8Array }
  /** snapshot: the stored snapshot it started from, or null for a fresh boot. */
  | { type: "booted"; guest: string; design: string; cmdline: string; snapshot: string | null; cycles: number }
  | { type: "status"; status: Status }
  | { type: "monitor-result"; id: number; text: string }
  | { type: "monitor-async"; text: string }
  | { type: "vga"; frame: VgaFrame }
  | { type: "bench-progress"; done: number; total: number; label: string }
  | { type: "bench-result"; results: BenchResult[] }
  | { type: "diff-progress"; done: number; total: number; label: string }
  | { type: "diff-result"; diff: DesignDiff }
  | { type: "diff-error"; message: string }
  | { type: "fork-trace-result"; traces: ForkTraceData[] }
  | { type: "fork-trace-error"; message: string }
  | FileReply
  /** The stored snapshots (newest first), at start and after each change; note: a storage problem to show, or null. */
  | { type: "snapshots"; list: SnapshotInfo[]; persistent: boolean; note: string | null }
  | { type: "snapshot-result"; ok: boolean; message: string }
  | { type: "snapshot-file"; name: string; blob: Blob }
  | { type: "mem-snapshot"; snap: MemSnapshot }
  | MemReply
  | { type: "error"; kind: "exception" | "panic" | "boot" | "halted"; message: string };
