// What the worker runs: the vmalab system (machine + kernel booted from the
// initramfs) or the echo fixture kernel on a bare machine, each with the
// monitor attached. This file is the one place that knows how a guest is put
// together; the run loop, stats and monitor bridge only see `Guest`.

import { Machine, DETERMINISTIC_EPOCH } from "../../emulator/machine/machine.ts";
import { VmalabSystem } from "../../system/system.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import { parseCmdline } from "../../kernel/cmdline.ts";
import { Monitor, type VmStateStore } from "../../monitor/monitor.ts";
import { SystemTimeTravel } from "../../system/time-travel.ts";
import { restoreSnapshot, snapshotHeader } from "../../system/snapshot/system-snapshot.ts";
import { echoFixtureImage } from "./echo-fixture.ts";
import type { BootRequest, MmDesign } from "../protocol.ts";

export interface Guest {
  readonly machine: Machine;
  /** The running kernel (null for the fixture); read it each time, a guest reset replaces it. */
  readonly kernel: Kernel | null;
  /** The monitor; its debugger also runs the guest (see run-loop.ts). */
  readonly monitor: Monitor;
  /** The whole system (null for the fixture): what snapshots save. */
  readonly system: VmalabSystem | null;
  /** "kernel" or "fixture". */
  readonly kind: string;
  readonly design: MmDesign;
  readonly cmdline: string;
  /** Console input from the page (recorded while the monitor's `record` is on). */
  sendInput(bytes: Uint8Array): void;
  /** True while time travel re-executes (what happens then was seen before). */
  readonly replaying: boolean;
  /** Tells the guest's console tty the terminal size (SIGWINCH to the foreground group on change). */
  setWindowSize(rows: number, cols: number): void;
}

export interface GuestHooks {
  onConsoleOutput(byte: number): void;
  /** A kernel log line (already written to the console too). */
  onKernelLog(line: string): void;
}

/** Guest RAM: 128 MiB, so /tmp (tmpfs, half of RAM) holds a 50 MiB upload. */
const MEMORY_SIZE = 128 * 1024 * 1024;

/** What a kernel guest may have besides its request: a snapshot to start from, where savevm/loadvm go. */
export interface GuestExtras {
  /** A snapshot file (its command line and memory size replace the request's); SnapshotError when unusable. */
  snapshot?: Uint8Array;
  /** The monitor's savevm/loadvm (given the new system; `loaded` tells time travel the state was replaced). */
  vmState?(sys: VmalabSystem, loaded: () => void): VmStateStore;
}

/**
 * Boots the guest `req` asks for. `initramfs` holds the cpio bytes (needed
 * for the kernel, ignored by the fixture). Throws an Error with a readable
 * message (SnapshotError for an unusable snapshot, KernelPanic) when the
 * guest cannot boot; the caller shows it.
 */
export function bootGuest(req: BootRequest, initramfs: Uint8Array | null, hooks: GuestHooks, extras: GuestExtras = {}): Guest {
  if (req.guest === "fixture") return bootFixture(req, hooks);
  if (!initramfs) throw new Error("bootGuest: the kernel needs the initramfs");
  const header = extras.snapshot ? snapshotHeader(extras.snapshot) : null;
  const cmdline = header?.cmdline ?? `mm=${req.design}${req.cmdline ? " " + req.cmdline : ""}`;
  const boot = parseCmdline(cmdline, () => {}); // the kernel reports bad words itself
  let travel: SystemTimeTravel | null = null;
  // a system about to be replaced by a snapshot, or re-executing for time travel, printed that before
  let silent = header !== null;
  const sys = new VmalabSystem({
    memorySize: header?.memorySize ?? MEMORY_SIZE,
    cmdline,
    initArgv: header?.initArgv ?? undefined,
    builtinInitrd: initramfs,
    deterministic: true,
    paceIdle: true,
    onConsoleOutput: (b) => {
      if (!silent && !travel?.replaying) hooks.onConsoleOutput(b);
    },
    onKernelLog: (line) => {
      if (silent || travel?.replaying) return;
      if (!boot.quiet) for (const ch of line + "\r\n") hooks.onConsoleOutput(ch.charCodeAt(0) & 0xff);
      hooks.onKernelLog(line);
    },
  });
  if (extras.snapshot) {
    restoreSnapshot(sys, extras.snapshot);
    sys.machine.unpace();
  }
  silent = false;
  const t = new SystemTimeTravel(sys);
  travel = t;
  const monitor = new Monitor(sys, undefined, extras.vmState?.(sys, () => t.restarted()), t);
  t.logFaultsFrom(monitor.faults);
  return {
    machine: sys.machine,
    get kernel() {
      return sys.kernel;
    },
    system: sys,
    monitor,
    kind: "kernel",
    design: boot.mm as MmDesign,
    cmdline,
    sendInput: (bytes) => t.sendInput(bytes),
    get replaying() {
      return t.replaying;
    },
    setWindowSize: (rows, cols) => t.setConsoleSize(rows, cols),
  };
}

function bootFixture(req: BootRequest, hooks: GuestHooks): Guest {
  const cmdline = `mm=${req.design}${req.cmdline ? " " + req.cmdline : ""}`;
  const machine = new Machine({
    memorySize: MEMORY_SIZE,
    startTime: DETERMINISTIC_EPOCH,
    paceIdle: true,
    onConsoleOutput: hooks.onConsoleOutput,
  });
  machine.loadKernel(echoFixtureImage(), { cmdline });
  return {
    machine,
    kernel: null,
    system: null,
    monitor: new Monitor({ machine }),
    kind: "fixture",
    design: req.design,
    cmdline,
    sendInput: (bytes) => machine.sendInput(bytes),
    replaying: false,
    setWindowSize: () => {},
  };
}
