// Messages between the page and the machine worker. The page never touches
// the machine; it sends these requests and renders what comes back.

import type { BenchResult } from "./components/bench-chart.ts";
import { MM_DESIGNS, type MmDesignName } from "../kernel/mm/design-names.ts";
import type { MemQuery, MemReply, MemSnapshot, MemView } from "./memory-protocol.ts";

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
  /** The memory picture selected (null: none), its process, and whether it is on screen (snapshots only then). */
  | { type: "mem-view"; view: MemView | null; pid: number; open: boolean }
  | { type: "mem-query"; id: number; query: MemQuery }
  | FileRequest;

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
  | FileReply
  | { type: "mem-snapshot"; snap: MemSnapshot }
  | MemReply
  | { type: "error"; kind: "exception" | "panic" | "boot" | "halted"; message: string };
