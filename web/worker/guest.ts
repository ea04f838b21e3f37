// What the worker runs: the vmalab system (machine + kernel booted from the
// initramfs) or the echo fixture kernel on a bare machine, each with the
// monitor attached. This file is the one place that knows how a guest is put
// together; the run loop, stats and monitor bridge only see `Guest`.

import { Machine, DETERMINISTIC_EPOCH } from "../../emulator/machine/machine.ts";
import { VmalabSystem } from "../../system/system.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import { parseCmdline } from "../../kernel/cmdline.ts";
import { Monitor } from "../../monitor/monitor.ts";
import { echoFixtureImage } from "./echo-fixture.ts";
import type { BootRequest } from "../protocol.ts";

export interface Guest {
  readonly machine: Machine;
  /** The running kernel (null for the fixture); read it each time, a guest reset replaces it. */
  readonly kernel: Kernel | null;
  /** The monitor; its debugger also runs the guest (see run-loop.ts). */
  readonly monitor: Monitor;
  /** "kernel" or "fixture". */
  readonly kind: string;
  readonly cmdline: string;
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

/**
 * Boots the guest `req` asks for. `initramfs` holds the cpio bytes (needed
 * for the kernel, ignored by the fixture). Throws an Error with a readable
 * message (or KernelPanic) when the guest cannot boot; the caller shows it.
 */
export function bootGuest(req: BootRequest, initramfs: Uint8Array | null, hooks: GuestHooks): Guest {
  const cmdline = `mm=${req.design}${req.cmdline ? " " + req.cmdline : ""}`;
  if (req.guest === "fixture") return bootFixture(cmdline, hooks);
  if (!initramfs) throw new Error("bootGuest: the kernel needs the initramfs");
  const quiet = parseCmdline(cmdline, () => {}).quiet; // the kernel reports bad words itself
  const sys = new VmalabSystem({
    memorySize: MEMORY_SIZE,
    cmdline,
    builtinInitrd: initramfs,
    deterministic: true,
    paceIdle: true,
    onConsoleOutput: hooks.onConsoleOutput,
    onKernelLog: (line) => {
      if (!quiet) for (const ch of line + "\r\n") hooks.onConsoleOutput(ch.charCodeAt(0) & 0xff);
      hooks.onKernelLog(line);
    },
  });
  const monitor = new Monitor(sys);
  return {
    machine: sys.machine,
    get kernel() {
      return sys.kernel;
    },
    monitor,
    kind: "kernel",
    cmdline,
    setWindowSize: (rows, cols) => sys.setConsoleSize(rows, cols),
  };
}

function bootFixture(cmdline: string, hooks: GuestHooks): Guest {
  const machine = new Machine({
    memorySize: MEMORY_SIZE,
    startTime: DETERMINISTIC_EPOCH,
    paceIdle: true,
    onConsoleOutput: hooks.onConsoleOutput,
  });
  machine.loadKernel(echoFixtureImage(), { cmdline });
  return { machine, kernel: null, monitor: new Monitor({ machine }), kind: "fixture", cmdline, setWindowSize: () => {} };
}
