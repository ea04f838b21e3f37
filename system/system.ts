// A whole vmalab PC: the emulated machine with the TypeScript kernel booted on
// it from the built-in initramfs (plus any extra archives). The CLI, the web
// worker, the benchmarks and the tests all start the system through here.

import { Machine, DETERMINISTIC_EPOCH } from "../emulator/machine/machine.ts";
import type { VportHostEnd } from "../emulator/devices/vport.ts";
import { X86 } from "../kernel/arch/x86.ts";
import { bootKernel, type InitrdArchive } from "../kernel/boot.ts";
import { vfsOf } from "../kernel/vfs.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { parseCmdline } from "../kernel/cmdline.ts";
import { HostFsDevice } from "../emulator/devices/hostfs.ts";
import type { HostShare } from "../emulator/devices/hostfs-backend.ts";

export interface SystemOptions {
  /** RAM in bytes (default 128 MiB). */
  memorySize?: number;
  /** Kernel command line: mm=classic|vma|lazy|sharedpt, init=PATH, quiet, and `-- args` for init. */
  cmdline?: string;
  /** The first program and its arguments, overriding init= (argv[0] is its path). */
  initArgv?: string[];
  /** The built-in initramfs (cpio newc). */
  builtinInitrd: Uint8Array;
  /** More archives unpacked after it; later files override earlier ones. */
  initrds?: InitrdArchive[];
  /** Fixed RTC date (2000-01-01) instead of the host's clock. */
  deterministic?: boolean;
  /** RTC date at power-on (unix seconds); overrides `deterministic`. */
  startTime?: number;
  /** Bytes the guest writes to the console (COM1). */
  onConsoleOutput?: (byte: number) => void;
  /** Kernel log lines (shown on the console by default unless the host routes them elsewhere). */
  onKernelLog?: (line: string) => void;
  /** Let idle guest time pass no faster than the wall clock (interactive use). */
  paceIdle?: boolean;
  /**
   * Host byte streams on the paravirtual console's ports (port n at index n). A connected
   * port 0 (a source), 1 or 2 (sinks) becomes init's descriptor of that number.
   */
  vports?: (VportHostEnd | null)[];
  /**
   * When init exits, end the run with this status (a wait status: exit code << 8, or the
   * killing signal) instead of the kernel panicking as Linux does. Used by `vmalab run`.
   */
  onInitExit?: (waitStatus: number) => void;
  /** Host folders to share through the host-folder device; the kernel mounts each at boot (docs/hostfs.md). */
  hostShares?: HostShare[];
}

export class VmalabSystem {
  readonly machine: Machine;
  /** The running kernel; replaced on every reset (the kernel boots again). */
  kernel!: Kernel;
  /** The host-folder device, when folders are shared. */
  readonly hostfs: HostFsDevice | null;

  /** Builds the machine and boots the kernel. Throws KernelPanic when the boot fails. */
  constructor(readonly options: SystemOptions) {
    this.machine = new Machine({
      memorySize: options.memorySize,
      startTime: options.startTime ?? (options.deterministic ? DETERMINISTIC_EPOCH : undefined),
      onConsoleOutput: options.onConsoleOutput,
      paceIdle: options.paceIdle,
      vports: options.vports,
    });
    const shares = options.hostShares ?? [];
    this.hostfs = shares.length > 0 ? new HostFsDevice(this.machine.io, this.machine.mem, this.machine.clock, shares) : null;
    const archives: InitrdArchive[] = [{ name: "built-in", data: options.builtinInitrd }, ...(options.initrds ?? [])];
    const quiet = parseCmdline(options.cmdline ?? "", () => {}).quiet;
    const log = options.onKernelLog ?? ((line: string) => quiet || this.consoleLog(line));
    this.machine.bootWith(() => {
      this.kernel = bootKernel(new X86(this.machine.cpu), { log, panic: (m) => log(`Kernel panic: ${m}`) }, options.cmdline ?? "", archives, options.initArgv);
      const onInitExit = options.onInitExit;
      if (onInitExit) {
        this.kernel.initExited = (status) => {
          onInitExit(status);
          this.machine.finish(exitCodeOf(status));
        };
      }
    });
  }

  /**
   * Sets the console tty's window size, as a terminal does with TIOCSWINSZ:
   * the foreground process group gets SIGWINCH when it changes.
   */
  setConsoleSize(rows: number, cols: number): void {
    vfsOf(this.kernel).console.tty.setWinsize({ row: rows, col: cols, xpixel: 0, ypixel: 0 });
  }

  /** Kernel messages go straight to the console output (unless quiet), as printk does on a serial console. */
  private consoleLog(line: string): void {
    const out = this.options.onConsoleOutput;
    if (!out) return;
    for (const ch of line + "\r\n") out(ch.charCodeAt(0) & 0xff);
  }
}

/** The shell's view of a wait status: the exit code, or 128 + the signal that killed it. */
export function exitCodeOf(waitStatus: number): number {
  return (waitStatus & 0x7f) === 0 ? (waitStatus >>> 8) & 0xff : 128 + (waitStatus & 0x7f);
}
