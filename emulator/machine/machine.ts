// The PC: RAM, the port space, the guest clock, the CPU and the devices wired
// as on a real board (PIC to the CPU's INTR, PIT on IRQ 0, COM1 on IRQ 4, RTC
// on IRQ 8), plus the run loop that drives them.
//
// Running: `runSlice(maxCycles)` executes up to a budget of guest cycles and
// returns why it stopped; when the CPU halts with interrupts enabled, guest
// time jumps to the next clock event (deterministic idle). `start()` is the
// interactive driver: slices of a few milliseconds, yielding to the host's
// event loop in between so terminal input stays live, optionally pacing idle
// time to the wall clock (pacing only changes when host input arrives, never
// what the guest computes from a given input).

import { CPU, F, S, Stop } from "../cpu/cpu.ts";
import { IoPorts } from "../io/ports.ts";
import { PhysicalMemory } from "../memory/physmem.ts";
import { Clock, CPU_HZ } from "./clock.ts";
import { Pic } from "../devices/pic.ts";
import { Pit } from "../devices/pit.ts";
import { Uart, COM1_PORT, COM1_IRQ } from "../devices/uart.ts";
import { Rtc, RTC_IRQ } from "../devices/rtc.ts";
import { DebugCon } from "../devices/debugcon.ts";
import { PostCode } from "../devices/postcode.ts";
import { ExitPort } from "../devices/exitport.ts";
import { Vga } from "../devices/vga.ts";
import { ResetControl } from "../devices/reset.ts";
import { Vport, VPORT_IRQ, type VportHostEnd } from "../devices/vport.ts";
import { loadMultiboot, type MultibootOptions, type MultibootBoot } from "./multiboot.ts";
import { enterMultiboot } from "./multiboot-entry.ts";
import { mapBios } from "./bios.ts";
import { yieldToHost } from "./yield.ts";

export const DEFAULT_MEMORY = 128 * 1024 * 1024;
/** When pacing idle time, the CPU runs past the wall-clock horizon in chunks of 1 ms of guest time. */
const PACE_CHUNK = CPU_HZ / 1000;
/** The RTC date of deterministic runs: 2000-01-01 00:00:00 UTC. */
export const DETERMINISTIC_EPOCH = 946_684_800;

export interface MachineOptions {
  /** RAM bytes (multiple of 4 KiB, at least 1 MiB); default 128 MiB. */
  memorySize?: number;
  /** RTC date at power-on, unix seconds; default the host's time now. */
  startTime?: number;
  /** Bytes the guest sends on COM1. */
  onConsoleOutput?: (byte: number) => void;
  /** Bytes the guest writes to port 0xE9. */
  onDebugOutput?: (byte: number) => void;
  /** Every POST code written to port 0x80. */
  onPostCode?: (code: number) => void;
  /** The guest wrote the isa-debug-exit port; status is (V << 1) | 1. */
  onExit?: (status: number) => void;
  /** What a triple fault does: reset the machine (as a PC does, the default) or stop the run. */
  tripleFault?: "reset" | "stop";
  /** start(): let idle guest time pass no faster than the wall clock. */
  paceIdle?: boolean;
  /** Host ends of the paravirtual console's ports (devices/vport.ts), port n at index n; null leaves a port unconnected. */
  vports?: (VportHostEnd | null)[];
}

/** Why runSlice returned. */
export const enum RunResult {
  /** The cycle budget was used up; call again. */
  Budget = 0,
  /**
   * Halted with interrupts enabled and nothing scheduled (or, when pacing, scheduled later than the
   * wall clock allows), or held by a device waiting for its host side: waiting for input or time.
   */
  Idle = 1,
  /** HLT with interrupts disabled: only a reset can continue. */
  Halted = 2,
  /** Stopped on request (monitor, debugger); `stopped` is true until `resume()`. */
  Stopped = 3,
  /** The guest wrote the exit port; see `exitStatus`. */
  Exited = 4,
  /** Triple fault with tripleFault: "stop". */
  TripleFault = 5,
}

/** How start() ended. */
export type RunOutcome =
  | { kind: "exit"; status: number }
  | { kind: "triple-fault" }
  /** HLT with interrupts disabled: nothing (no NMI source exists) can wake the CPU. */
  | { kind: "halted"; cs: number; eip: number }
  | { kind: "stopped" };

export class Machine {
  readonly mem: PhysicalMemory;
  readonly io = new IoPorts();
  readonly clock = new Clock();
  readonly cpu: CPU;
  readonly pic: Pic;
  readonly pit: Pit;
  readonly uart: Uart;
  readonly rtc: Rtc;
  readonly vga: Vga;
  readonly debugcon: DebugCon;
  readonly post: PostCode;
  readonly exitPort: ExitPort;
  readonly resetControl: ResetControl;
  /** The paravirtual console (host byte streams: `vmalab run`'s stdin/stdout/stderr). */
  readonly vport: Vport;

  /** Exit status once the guest wrote port 0xF4, else null. */
  exitStatus: number | null = null;
  /** True after a requested stop (monitor) until resume(). */
  stopped = false;
  /** Number of resets since power-on (triple faults, 8042, port 0x92). */
  resets = 0;

  private readonly options: MachineOptions;
  private resetPending = false;
  private ownStop = false;
  /** The stop request a device's hold made (the CPU must not go on past the instruction that asked). */
  private holdStop = false;
  /** Re-runs the boot method after a reset (multiboot reload; nothing for a BIOS). */
  private boot: () => void = () => {};
  /** Latest cycle idle time may skip to (set by start() when pacing). */
  private idleHorizon = Infinity;
  /** Cycle the idle CPU waits for when runSlice returned Idle (Infinity: only input can wake it). */
  idleUntil = Infinity;

  /** Lets idle time skip ahead without the wall-clock bound start() left (a debugger's unpaced stepping). */
  unpace(): void {
    this.idleHorizon = Infinity;
  }
  private wake: (() => void) | null = null;

  /** Whether start() paces idle time to the wall clock: a choice of the host running the machine, not machine state. */
  get paceIdle(): boolean {
    return this.options.paceIdle ?? false;
  }
  set paceIdle(on: boolean) {
    this.options.paceIdle = on;
  }

  constructor(options: MachineOptions = {}) {
    this.options = options;
    this.mem = new PhysicalMemory(options.memorySize ?? DEFAULT_MEMORY);
    if (this.mem.ramSize < 0x100000) throw new RangeError("Machine: RAM must be at least 1 MiB");
    this.cpu = new CPU(this.mem, this.io, this.clock);
    this.pic = new Pic(this.io);
    this.cpu.irq = this.pic;
    this.pit = new Pit(this.io, this.clock, (level) => this.pic.setIrq(0, level));
    this.uart = new Uart(this.io, COM1_PORT, (level) => this.pic.setIrq(COM1_IRQ, level));
    if (options.onConsoleOutput) this.uart.onTransmit = options.onConsoleOutput;
    const start = options.startTime ?? Math.floor(Date.now() / 1000);
    this.rtc = new Rtc(this.io, this.clock, (level) => this.pic.setIrq(RTC_IRQ, level), start, this.mem.ramSize);
    this.vga = new Vga(this.io, this.mem, this.clock);
    this.debugcon = new DebugCon(this.io);
    if (options.onDebugOutput) this.debugcon.onOutput = options.onDebugOutput;
    this.post = new PostCode(this.io);
    if (options.onPostCode) this.post.onCode = options.onPostCode;
    this.exitPort = new ExitPort(this.io);
    this.exitPort.onExit = (status) => this.finish(status);
    this.resetControl = new ResetControl(this.io);
    this.resetControl.onReset = () => {
      this.resetPending = true;
      this.ownStop = true;
      this.cpu.requestStop();
    };
    this.vport = new Vport(this.io, this.mem, (level) => this.pic.setIrq(VPORT_IRQ, level));
    this.vport.onHold = () => {
      this.holdStop = true;
      this.cpu.requestStop();
    };
    this.vport.onRelease = () => this.wake?.();
    (options.vports ?? []).forEach((end, n) => end && this.vport.attach(n, end));
    this.cpu.reset();
  }

  /** Guest cycles since the last reset. */
  get cycles(): number {
    return this.clock.cycles;
  }

  /** Instructions retired (as counted by the CPU). */
  get instructions(): number {
    return this.cpu.instructions;
  }

  /**
   * Loads a multiboot kernel (and modules) and prepares the CPU to enter it,
   * as a BIOS + boot loader would leave the PC (PIC vectors 0x08/0x70, all IRQs
   * masked, PIT channel 0 at 18.2 Hz). A reset boots it again. Throws ImageError.
   */
  loadKernel(image: Uint8Array, opts: MultibootOptions = {}): MultibootBoot {
    const boot = loadMultiboot(this.mem, image, opts);
    this.boot = () => {
      loadMultiboot(this.mem, image, opts);
      this.pic.biosInit();
      enterMultiboot(this.cpu, boot);
    };
    this.pic.biosInit();
    enterMultiboot(this.cpu, boot);
    return boot;
  }

  /** Ends the run with `status` at the next instruction boundary (the exit port, or a host-side kernel). */
  finish(status: number): void {
    this.exitStatus = status;
    this.ownStop = true;
    this.cpu.requestStop();
    this.options.onExit?.(status);
  }

  /**
   * Boots with a host-side loader: `boot` runs now and again after every reset
   * (a kernel that sets the machine up itself, like vmalab's TypeScript kernel).
   */
  bootWith(boot: () => void): void {
    this.boot = boot;
    boot();
  }

  /** Maps a BIOS ROM and resets the CPU to F000:FFF0. Throws ImageError for a bad ROM size. */
  loadBios(rom: Uint8Array, name = "bios"): void {
    mapBios(this.mem, rom, name);
    this.boot = () => {};
    this.cpu.reset();
  }

  /** Resets the CPU and the devices (RAM keeps its contents) and boots again. */
  reset(): void {
    this.resets++;
    this.resetPending = false;
    this.rtc.rebaseForClockReset();
    this.clock.reset();
    this.pic.reset();
    this.pit.reset();
    this.uart.reset();
    this.rtc.reset();
    this.vga.reset();
    this.vport.reset();
    this.holdStop = false;
    this.post.last = 0;
    this.cpu.reset();
    this.boot();
  }

  /** Asks the running machine to stop at the next instruction boundary (monitor). */
  stop(): void {
    this.cpu.requestStop();
  }

  /** Clears `stopped` so runSlice/start continue. */
  resume(): void {
    this.stopped = false;
  }

  /** Host input for COM1 (never dropped); wakes an idle start() loop. */
  sendInput(bytes: Uint8Array | readonly number[]): void {
    this.uart.receive(bytes);
    this.wake?.();
  }

  /**
   * Runs at most `maxCycles` guest cycles (slightly more: an instruction is never split).
   * A reset ends the slice too (it starts the cycle count again), so a guest that resets
   * or triple-faults in a loop still returns to the host once per reset.
   * afterSlice, when set, runs after every slice (between instructions).
   */
  runSlice(maxCycles: number): RunResult {
    const r = this.runSliceOnce(maxCycles);
    this.afterSlice?.();
    return r;
  }

  /** Called after every runSlice, the machine between two instructions (a recorder's periodic snapshot). */
  afterSlice: (() => void) | null = null;

  private runSliceOnce(maxCycles: number): RunResult {
    if (this.exitStatus !== null) return RunResult.Exited;
    if (this.stopped) return RunResult.Stopped;
    const end = this.clock.cycles + maxCycles;
    this.idleUntil = Infinity;
    for (;;) {
      if (this.resetPending) {
        this.reset();
        return RunResult.Budget;
      }
      // A device waits for its host side: no instruction runs and no guest time passes
      // (a stop the monitor asks for meanwhile is taken at once).
      if (this.vport.waiting) {
        if (this.holdStop) this.holdStop = this.cpu.stopRequested = false;
        if (!this.cpu.stopRequested) return RunResult.Idle;
        this.cpu.stopRequested = false;
        this.stopped = true;
        return RunResult.Stopped;
      }
      // The CPU skips idle time by itself up to the limit it is given: when pacing,
      // give it no more than the wall-clock horizon (busy code goes on in 1 ms chunks).
      const until = Math.min(end, Math.max(this.idleHorizon, this.clock.cycles + PACE_CHUNK));
      const stop = this.cpu.run(until);
      if (this.exitStatus !== null) {
        this.cpu.stopRequested = false;
        return RunResult.Exited;
      }
      if (this.resetPending) {
        this.cpu.stopRequested = false;
        this.ownStop = false;
        this.reset();
        return RunResult.Budget;
      }
      switch (stop) {
        case Stop.Budget:
          if (this.clock.cycles >= end) return RunResult.Budget;
          continue; // at the pacing horizon, still busy
        case Stop.Requested:
          this.cpu.stopRequested = false;
          if (this.ownStop || this.holdStop) {
            this.ownStop = this.holdStop = false;
            continue;
          }
          this.stopped = true;
          return RunResult.Stopped;
        case Stop.TripleFault:
          if (this.options.tripleFault === "stop") return RunResult.TripleFault;
          this.reset();
          return RunResult.Budget;
        default: {
          // Stop.Halted
          if ((this.cpu.flags & F.IF) === 0) return RunResult.Halted;
          const next = this.clock.nextEvent;
          if (next === Infinity || next > this.idleHorizon) {
            this.idleUntil = next;
            return RunResult.Idle;
          }
          if (next > end) {
            this.clock.cycles = Math.max(this.clock.cycles, end);
            return RunResult.Budget;
          }
          if (next > this.clock.cycles) this.clock.cycles = next;
          this.clock.runDue();
        }
      }
    }
  }

  /**
   * Runs the machine interactively until the guest exits, stops on request or
   * triple-faults (with tripleFault: "stop"). Each slice takes a few
   * milliseconds of host time; between slices the host event loop runs.
   */
  start(): Promise<RunOutcome> {
    const pace = this.options.paceIdle ?? false;
    let sliceCycles = 1_000_000;
    let anchorWall = performance.now();
    let anchorCycles = this.clock.cycles;
    const wallCycles = () => anchorCycles + ((performance.now() - anchorWall) * CPU_HZ) / 1000;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const schedule = (ms: number) => {
        timer = setTimeout(() => {
          timer = null;
          this.wake = null;
          step();
        }, ms);
        this.wake = () => {
          if (timer) clearTimeout(timer);
          timer = null;
          this.wake = null;
          yieldToHost(step);
        };
      };
      const step = () => {
        try {
          slice();
        } catch (e) {
          reject(e); // a host exception is an emulator bug: end the run, let the caller report it
        }
      };
      const slice = () => {
        if (pace) {
          const wc = wallCycles();
          // a guest that fell more than 100 ms behind (busy) does not race to catch up,
          // and one that ran 10 ms ahead (busy, fast host) is not held back
          if (wc - this.clock.cycles > CPU_HZ / 10 || this.clock.cycles - wc > CPU_HZ / 100) {
            anchorWall = performance.now();
            anchorCycles = this.clock.cycles;
          }
          this.idleHorizon = Math.max(this.clock.cycles, wallCycles());
        } else this.idleHorizon = Infinity;
        const t0 = performance.now();
        const r = this.runSlice(sliceCycles);
        const dt = performance.now() - t0;
        if (r === RunResult.Budget && dt > 0) {
          // aim at ~8 ms per slice
          sliceCycles = Math.min(10_000_000, Math.max(100_000, Math.round((sliceCycles * 8) / dt)));
        }
        switch (r) {
          case RunResult.Exited:
            return resolve({ kind: "exit", status: this.exitStatus! });
          case RunResult.TripleFault:
            return resolve({ kind: "triple-fault" });
          case RunResult.Stopped:
            return resolve({ kind: "stopped" });
          case RunResult.Halted:
            return resolve({ kind: "halted", cs: this.cpu.segSel[S.CS], eip: this.cpu.eip >>> 0 });
          case RunResult.Idle: {
            if (this.idleUntil === Infinity) return schedule(20);
            const ms = ((this.idleUntil - anchorCycles) * 1000) / CPU_HZ - (performance.now() - anchorWall);
            return schedule(Math.max(0, Math.min(50, ms)));
          }
          default:
            yieldToHost(step);
        }
      };
      yieldToHost(step);
    });
  }
}
