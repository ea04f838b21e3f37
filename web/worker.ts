// The machine worker: owns the guest and answers the page's messages
// (web/protocol.ts). The run loop yields between slices, so input, monitor
// commands and status requests are handled while the guest runs flat out.

/// <reference lib="webworker" />

import type { BootRequest, FromWorker, MmDesign, ToWorker } from "./protocol.ts";
import { bootGuest, type Guest } from "./worker/guest.ts";
import { CPU } from "../emulator/cpu/cpu.ts";
import { AsyncTextBatcher, OutputBatcher } from "./worker/output-batcher.ts";
import { RunLoop } from "./worker/run-loop.ts";
import { StatsSampler } from "./worker/stats.ts";
import { runMonitorCommand } from "./worker/monitor-bridge.ts";
import { runBenchPlan } from "./worker/bench-runner.ts";
import { DiffError, compareRuns, runDesign } from "../system/diff-designs.ts";
import { traceFork } from "./worker/fork-runner.ts";
import { FileTransfers } from "./worker/file-transfers.ts";
import { MemorySnapshots } from "./worker/memory-snapshot.ts";
import { SnapshotStore } from "./worker/snapshot-store.ts";
import { browserVmState, exportSnapshot, importSnapshot, saveToStore } from "./worker/snapshots.ts";

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

interface Session {
  guest: Guest;
  loop: RunLoop;
  stats: StatsSampler;
  request: BootRequest;
  paused: boolean;
}

let session: Session | null = null;
let lastRequest: BootRequest | null = null;
const monitorOut = new AsyncTextBatcher((text) => post({ type: "monitor-async", text }));
const initramfsCache = new Map<string, Uint8Array>();
const consoleOut = new OutputBatcher((bytes) => post({ type: "console", bytes }, [bytes.buffer]));
const transfers = new FileTransfers();
const memory = new MemorySnapshots();
const snapshots = new SnapshotStore();
const storeReady = snapshots.open().then(postSnapshotList);
/** The page's last mem-view request (re-applied to a new guest after a reboot). */
let memoryView: Extract<ToWorker, { type: "mem-view" }> | null = null;

async function fetchInitramfs(url: string): Promise<Uint8Array> {
  const cached = initramfsCache.get(url);
  if (cached) return cached;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot load the initramfs from ${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  initramfsCache.set(url, bytes);
  return bytes;
}

function postSnapshotList(): void {
  post({ type: "snapshots", list: snapshots.list(), persistent: snapshots.persistent, note: snapshots.lastError });
}

async function boot(req: BootRequest): Promise<void> {
  session?.loop.dispose();
  session = null;
  transfers.abortAll();
  consoleOut.clear();
  lastRequest = req;
  CPU.jitByDefault = req.jit !== false; // (also for the fresh guests of the benchmark and fork tabs)
  let guest: Guest;
  try {
    const initramfs = req.guest === "kernel" ? await fetchInitramfs(req.initramfsUrl) : null;
    await storeReady;
    if (lastRequest !== req) return; // a newer boot request arrived while fetching
    const snapshot = req.snapshot !== undefined ? snapshots.get(req.snapshot) : undefined;
    if (snapshot === null) throw new Error(`no snapshot named "${req.snapshot}" in this browser`);
    guest = bootGuest(
      req,
      initramfs,
      {
        onConsoleOutput: (b) => consoleOut.push(b),
        onKernelLog: (line) => {
          if (/^Kernel panic/.test(line)) post({ type: "error", kind: "panic", message: line });
        },
      },
      { snapshot, vmState: (sys, loaded) => browserVmState(snapshots, sys, { loaded, changed: postSnapshotList }) },
    );
  } catch (e) {
    const panicked = e instanceof Error && e.name === "KernelPanic";
    const message = e instanceof Error ? e.message : String(e);
    post({ type: "error", kind: panicked ? "panic" : "boot", message: panicked ? `Kernel panic: ${message}` : message });
    return;
  }
  const loop = new RunLoop(guest.monitor.debugger, (end) => {
    consoleOut.flush();
    if (end.kind === "panic") post({ type: "error", kind: "panic", message: `Kernel panic: ${end.message}` });
    else if (end.kind === "exception") post({ type: "error", kind: "exception", message: end.message });
    else if (end.kind === "triple-fault") post({ type: "error", kind: "halted", message: "the guest triple-faulted" });
    else post({ type: "error", kind: "halted", message: `the guest powered off (exit status ${end.status})` });
  });
  const s: Session = { guest, loop, stats: new StatsSampler(guest), request: req, paused: false };
  session = s;
  guest.monitor.onAsyncOutput((text) => {
    if (session === s) monitorOut.push(text);
  });
  guest.setWindowSize(req.rows, req.cols);
  if (memoryView) memory.select(guest, memoryView.view, memoryView.pid, memoryView.open);
  post({ type: "booted", guest: guest.kind, design: guest.design, cmdline: guest.cmdline, snapshot: req.snapshot ?? null, cycles: guest.machine.cycles });
  loop.start();
}

/**
 * Runs `job` on fresh guests of its own, given the initramfs and request of the last
 * kernel boot, with the console's guest paused meanwhile (and resumed after, if it
 * ran). Returns false, running nothing, when the page runs the echo fixture.
 */
async function onFreshGuests(job: (initramfs: Uint8Array, req: BootRequest) => Promise<void> | void): Promise<boolean> {
  const req = lastRequest;
  if (!req || req.guest !== "kernel") return false;
  const wasPaused = session?.paused ?? true;
  await session?.loop.pauseNow();
  try {
    await job(await fetchInitramfs(req.initramfsUrl), req);
  } finally {
    if (!wasPaused && session) session.loop.resume();
  }
  return true;
}

const NEEDS_KERNEL = "needs the kernel guest (this page runs the echo fixture)";

async function bench(benchmarks: string[], designs: MmDesign[]): Promise<void> {
  try {
    const ran = await onFreshGuests(async (initramfs, req) => {
      const results = await runBenchPlan({
        benchmarks,
        designs,
        boot: (design, hooks) => bootGuest({ ...req, design }, initramfs, hooks),
        onProgress: (done, total, label) => post({ type: "bench-progress", done, total, label }),
      });
      post({ type: "bench-result", results });
    });
    if (!ran) post({ type: "error", kind: "boot", message: `benchmarks ${NEEDS_KERNEL}` });
  } catch (e) {
    post({ type: "bench-progress", done: 0, total: 0, label: "failed" });
    post({ type: "error", kind: "exception", message: `benchmark: ${e instanceof Error ? e.message : String(e)}` });
  }
}

/** The design diff: each design's run between two messages, so the page hears of progress. */
async function diff(argv: string[], designs: MmDesign[]): Promise<void> {
  try {
    const ran = await onFreshGuests(async (initrd) => {
      const runs = [];
      for (const [i, design] of designs.entries()) {
        post({ type: "diff-progress", done: i, total: designs.length, label: `${argv.join(" ")} under mm=${design}` });
        await new Promise((r) => setTimeout(r, 0));
        runs.push(runDesign(design, argv, { initrd, maxGuestSeconds: 60 }));
      }
      post({ type: "diff-progress", done: designs.length, total: designs.length, label: "done" });
      post({ type: "diff-result", diff: compareRuns(argv, runs) });
    });
    if (!ran) post({ type: "diff-error", message: `the design diff ${NEEDS_KERNEL}` });
  } catch (e) {
    if (e instanceof DiffError) post({ type: "diff-error", message: e.message });
    else {
      post({ type: "diff-error", message: "the emulator failed (see the error above)" });
      post({ type: "error", kind: "exception", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
}

/** The fork picture: the first fork of argv under each design (fork-runner.ts), sent with its arrays transferred. */
async function forkTrace(argv: string[], designs: MmDesign[]): Promise<void> {
  try {
    const ran = await onFreshGuests((initrd) => {
      const traces = designs.map((d) => traceFork(d, argv, initrd));
      const arrays = traces.flatMap((t) => [t.pdesBefore, t.ops, t.pdis, t.ptis, t.faultWho, t.faultAddrs, t.faultDecisions, ...t.tables.map((x) => x.before)]);
      post({ type: "fork-trace-result", traces }, arrays.map((a) => a.buffer));
    });
    if (!ran) post({ type: "fork-trace-error", message: `the fork picture ${NEEDS_KERNEL}` });
  } catch (e) {
    post({ type: "fork-trace-error", message: e instanceof Error ? e.message : String(e) });
  }
}

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case "boot":
      void boot(msg);
      return;
    case "bench":
      void bench(msg.benchmarks, msg.designs);
      return;
    case "fork-trace":
      void forkTrace(msg.argv, msg.designs);
      return;
    case "diff":
      void diff(msg.argv, msg.designs);
      return;
    case "snapshot-delete":
      snapshots.delete(msg.name);
      postSnapshotList();
      post({ type: "snapshot-result", ok: true, message: `deleted ${msg.name}` });
      return;
    case "snapshot-import": {
      const r = importSnapshot(snapshots, msg.name, msg.bytes);
      post({ type: "snapshot-result", ...r });
      if (r.ok) postSnapshotList();
      return;
    }
    case "snapshot-export": {
      const r = exportSnapshot(snapshots, msg.name);
      post(r.ok ? { type: "snapshot-file", name: msg.name, blob: r.blob } : { type: "snapshot-result", ok: false, message: r.message });
      return;
    }
    case "mem-view":
      memoryView = msg;
      memory.select(session?.guest ?? null, msg.view, msg.pid, msg.open);
      return;
    case "upload-open":
    case "upload-write":
    case "upload-close":
    case "download-open":
    case "download-read":
    case "download-close": {
      // between two slices of the run loop (see file-transfers.ts on determinism)
      try {
        post(transfers.handle(session?.guest ?? null, msg));
      } catch (e) {
        post({ type: "file-reply", id: msg.id, ok: false, message: `${msg.type}: the emulator failed (see the error above)` });
        throw e;
      }
      return;
    }
  }
  const s = session;
  if (!s) return;
  switch (msg.type) {
    case "input":
      s.guest.sendInput(msg.bytes);
      return;
    case "snapshot-save": {
      // between two slices of the run loop, as every message
      const r = saveToStore(snapshots, s.guest, msg.name);
      post({ type: "snapshot-result", ...r });
      if (r.ok) postSnapshotList();
      return;
    }
    case "resize":
      s.request = { ...s.request, rows: msg.rows, cols: msg.cols };
      s.guest.setWindowSize(msg.rows, msg.cols);
      return;
    case "pause":
      s.paused = true;
      s.loop.pause();
      return;
    case "resume":
      s.paused = false;
      s.loop.resume();
      return;
    case "monitor": {
      const text = runMonitorCommand(s.guest, msg.line);
      post({ type: "monitor-result", id: msg.id, text });
      s.paused = !s.loop.running;
      return;
    }
    case "mem-query":
      if (msg.query.kind === "goto-fault") {
        // Going back with the guest stopped first, so it stays there: a stop still on its
        // way would be taken by the re-execution instead, and the guest would run on.
        const q = msg.query;
        void s.loop.pauseNow().then(() => {
          s.paused = true;
          if (session === s) post(memory.query(s.guest, msg.id, q));
        });
      } else post(memory.query(s.guest, msg.id, msg.query));
      return;
    case "vga": {
      const snap = s.guest.machine.vga.snapshot();
      post({ type: "vga", frame: snap }, [snap.chars.buffer, snap.attributes.buffer]);
      return;
    }
  }
}

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  try {
    handle(ev.data);
  } catch (e) {
    post({ type: "error", kind: "exception", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
};

// the memory pictures: at most 10 snapshots a second, only while one is open
setInterval(() => {
  const out = session && memory.active ? memory.snapshot() : null;
  if (out) post({ type: "mem-snapshot", snap: out.snap }, out.transfer);
}, 100);

setInterval(() => {
  const s = session;
  if (s) post({ type: "status", status: s.stats.sample(s.loop.running, s.request.design) });
}, 500);
