// The monitor: a command language over the machine and the kernel, with the
// same API for the CLI (Ctrl-A c), the web page and the tests:
//   const mon = new Monitor({ machine, kernel });   // kernel optional
//   mon.execute("info registers")  -> output text
//   mon.complete("info t")        -> ["info tlb"]
//   mon.onAsyncOutput(line => ...) // stops reached while running, live `pf trace` lines
// The run loop belongs to mon.debugger: the host calls `await mon.debugger.run()`
// instead of machine.start() so stop/cont/step/break/watch/pf break work.

import type { Machine } from "../emulator/machine/machine.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { Debugger, type StopReason } from "../emulator/gdb/debugger.ts";
import { FaultTracer, errorBits, formatTrace, type FaultBreak } from "./fault-trace.ts";
import { DECISION_TEXT, parseDecision } from "./kernel-view.ts";
import type { FaultDecision } from "../kernel/mm/counters.ts";
import { CommandError, hex, hex8, parseCount, parseValue } from "./format.ts";
import {
  describeStop, describeWatch, dumpMemory, infoBreakpoints, infoMem, infoPic, infoRegisters, infoTlb, parseFormat, runControlCommand,
} from "./machine-commands.ts";
import * as kc from "./kernel-commands.ts";

/** What the monitor looks at. `kernel` is read at every command (a reboot replaces it). */
export interface MonitorTarget {
  readonly machine: Machine;
  readonly kernel?: Kernel | null;
}

/**
 * Where savevm and loadvm keep whole-machine snapshots (the CLI: files,
 * cli/snapshot-files.ts). Each returns the line to print, or throws
 * CommandError with one line. Called between machine slices.
 */
export interface VmStateStore {
  save(name: string): string;
  load(name: string): string;
}

/** Which page faults `goto fault` counts: of one pid, with one decision, only those the CPU raised in user mode. */
export interface FaultFilter {
  pid?: number;
  decision?: FaultDecision;
  /** Only faults of user-mode instructions (not the kernel's accesses to user buffers, "uaccess"). */
  user?: boolean;
  /** Only the fault the tracer numbered so (pf trace's and the page's fault timeline's sequence number). */
  seq?: number;
}

/**
 * Time travel (system/timeline.ts, wired by the host): recording, and going
 * back by re-executing from snapshots. Failures throw CommandError (one line).
 */
export interface TimeTravel {
  /** Starts or stops recording; the line to print. */
  record(on: boolean): string;
  /** What the recording holds, one line ("not recording" when off). */
  status(): string;
  /** Moves the machine to the first boundary at or after guest cycle n since boot. */
  gotoCycle(n: number): void;
  /** Moves the machine to the first boundary after n instructions since boot. */
  gotoInstruction(n: number): void;
  /**
   * Moves the machine to just before the instruction of the n-th page fault
   * (from 1) since recording began, among those `filter` selects; returns
   * the fault's trace line.
   */
  gotoFault(n: number, filter: FaultFilter): string;
  /**
   * Moves the machine back to the latest instruction boundary before now
   * where `stop()` holds; false (at the start of the recording) when none.
   */
  reverseContinue(stop: () => boolean): boolean;
}

interface CommandSpec {
  name: string;
  aliases?: string[];
  usage: string;
  help: string;
  kernel?: boolean;
  subcommands?: string[];
}

/** Every command, in the order `help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: "help", usage: "help [COMMAND]", help: "list the commands, or show one" },
  { name: "info", usage: "info registers|tlb|mem|pic|breakpoints", help: "CPU registers; cached translations (STALE marks entries the page tables no longer give); mapped ranges of CR3; the PICs; breakpoints", subcommands: ["registers", "tlb", "mem", "pic", "breakpoints"] },
  { name: "x", usage: "x/FMT ADDR", help: "examine linear memory through the current page tables; FMT = count, x d u o c i, b h w (x/4xw $esp, x/5i $eip)" },
  { name: "xp", usage: "xp/FMT PADDR", help: "examine physical memory (same FMT as x)" },
  { name: "stop", usage: "stop", help: "stop the machine at the next instruction" },
  { name: "cont", aliases: ["c"], usage: "cont", help: "continue (delivers a held page fault to the kernel first)" },
  { name: "step", aliases: ["s"], usage: "step [N]", help: "execute N instructions (default 1) and show the next one" },
  { name: "break", aliases: ["b"], usage: "break EIP", help: "stop before executing the instruction at EIP (slows the machine while set)" },
  { name: "watch", usage: "watch VADDR [LEN]", help: "stop after any write to VADDR..VADDR+LEN-1 (LEN default 4), in whatever address space is current" },
  { name: "delete", aliases: ["d"], usage: "delete [N]", help: "delete breakpoint/watchpoint N, or all" },
  { name: "ps", usage: "ps", help: "processes (* = running)", kernel: true },
  { name: "vmas", usage: "vmas PID", help: "the process's areas, /proc/PID/maps style plus flags (anon, file, PFNMAP, shared, growsdown, anon_vma)", kernel: true },
  { name: "walk", usage: "walk PID VADDR", help: "the PDE and PTE for VADDR with every bit decoded, the frame and the area", kernel: true },
  { name: "frame", usage: "frame PFN", help: "count, mapcount, flags of a frame and every (pid, vaddr) mapping it", kernel: true },
  { name: "pf", usage: "pf trace on|off [PID] | pf break [PID] [ADDR[-END]] [DECISION] | pf break off | pf step | pf stats", help: "page-fault trace, break at a fault before the kernel handles it, let the kernel decide, counts by decision", kernel: true, subcommands: ["trace", "break", "step", "stats"] },
  { name: "prof", usage: "prof [reset]", help: "guest cycles per kernel function since boot (or the last reset)", kernel: true },
  { name: "meminfo", usage: "meminfo", help: "/proc/meminfo and the frame allocator", kernel: true },
  { name: "check", usage: "check", help: "the frame accounting self-check; lists every violation", kernel: true },
  { name: "record", usage: "record [on|off]", help: "time travel: keep snapshots and the console input so rewind, goto and reverse-step can go back (alone: what is kept)", kernel: true, subcommands: ["on", "off"] },
  { name: "rewind", usage: "rewind CYCLES", help: "go back CYCLES guest cycles (record on first) and show the next instruction", kernel: true },
  { name: "goto", usage: "goto cycle N | goto insn N | goto fault N [pid P] [user] [DECISION] | goto fault seq S", help: "go back to guest cycle N, to the boundary after N instructions (both counted since boot), to just before the N-th page fault since recording began (of pid P, raised by a user-mode instruction, with that decision), or to the fault the trace numbered S (record on first)", kernel: true, subcommands: ["cycle", "insn", "fault"] },
  { name: "reverse-step", aliases: ["rs"], usage: "reverse-step [N]", help: "go back N instructions (default 1; record on first) and show the next one", kernel: true },
  { name: "reverse-cont", aliases: ["rc"], usage: "reverse-cont", help: "go back to the last time execution reached a breakpoint or changed a watched value (re-executes the recording one instruction at a time: seconds per 20 M instructions searched)", kernel: true },
  { name: "savevm", usage: "savevm FILE", help: "save the whole machine (CPU, FPU, RAM, devices, kernel, timers) to FILE", kernel: true },
  { name: "loadvm", usage: "loadvm FILE", help: "go back to a machine saved by savevm or --snapshot-save (same -m and command line)", kernel: true },
];

export class Monitor {
  readonly debugger: Debugger;
  readonly faults: FaultTracer;
  private readonly listeners: ((text: string) => void)[] = [];
  private inCommand = false;

  /**
   * dbg: share a Debugger with a gdb stub; by default the monitor makes its own.
   * vmState: where savevm/loadvm go; travel: record/rewind/goto (both absent: not offered).
   */
  constructor(
    private readonly target: MonitorTarget,
    dbg?: Debugger,
    private readonly vmState?: VmStateStore,
    private readonly travel?: TimeTravel,
  ) {
    this.debugger = dbg ?? new Debugger(target.machine);
    this.faults = new FaultTracer(target.machine, this.debugger, () => this.target.kernel ?? null);
    this.faults.onLive = (e) => this.emit(formatTrace(e));
    this.debugger.onStop((r) => {
      if (!this.inCommand) this.emit(this.stopText(r));
    });
  }

  /** Receives text produced while no command runs (stops after cont, live pf trace lines). */
  onAsyncOutput(cb: (text: string) => void): void {
    this.listeners.push(cb);
  }

  /** Runs one command line and returns its output (no trailing newline; errors as text). */
  execute(line: string): string {
    const words = line.trim().split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) return "";
    this.inCommand = true;
    try {
      return this.dispatch(words);
    } catch (e) {
      if (e instanceof CommandError) return e.message;
      if (e instanceof Error && /KernelPanic|panic/.test(e.name + e.message)) return `kernel panic while running the command: ${e.message}`;
      throw e;
    } finally {
      this.inCommand = false;
    }
  }

  /** Completions of a partial command line (whole lines), sorted. */
  complete(prefix: string): string[] {
    const m = /^(\S*)(\s+)(\S*)$/.exec(prefix);
    const hasKernel = !!this.target.kernel;
    if (m) {
      const spec = COMMANDS.find((c) => c.name === m[1]);
      if (!spec?.subcommands) return [];
      return spec.subcommands.filter((s) => s.startsWith(m[3])).map((s) => `${m[1]} ${s}`);
    }
    if (/\s/.test(prefix.trim())) return [];
    const names: string[] = [];
    for (const c of COMMANDS) {
      if (c.kernel && !hasKernel) continue;
      for (const n of [c.name, ...(c.aliases ?? [])]) if (n.startsWith(prefix) && n.length > 1) names.push(n);
    }
    return names.sort();
  }

  private emit(text: string): void {
    for (const cb of this.listeners) cb(text);
  }

  private kernel(cmd: string): Kernel {
    const k = this.target.kernel;
    if (!k) throw new CommandError(`${cmd}: no kernel (this machine runs a bare guest)`);
    return k;
  }

  private stopText(r: StopReason): string {
    const cpu = this.target.machine.cpu;
    if (r.kind === "exception" && r.vector === 14 && this.target.kernel) {
      const p = this.faults.predict(r);
      if (p) {
        return `pf break: pid ${p.pid} (${p.comm}) eip ${hex8(r.eip)} cr2 ${hex8(r.cr2)} [${errorBits(r.errorCode)}] ` +
          `vma ${p.vma ?? "none"}: the kernel will decide ${DECISION_TEXT[p.decision]} (pf step to let it)`;
      }
    }
    return describeStop(r, cpu);
  }

  private dispatch(words: string[]): string {
    const machine = this.target.machine;
    const cpu = machine.cpu;
    const [head, ...args] = words;
    const slash = head.indexOf("/");
    const name0 = slash >= 0 ? head.slice(0, slash) : head;
    const spec = COMMANDS.find((c) => c.name === name0 || c.aliases?.includes(name0));
    if (!spec) throw new CommandError(`unknown command '${name0}' (help lists them)`);
    const name = spec.name;
    if (slash >= 0 && name !== "x" && name !== "xp") throw new CommandError(`${name} takes no /FMT`);
    switch (name) {
      case "help":
        return this.help(args[0]);
      case "info":
        switch (args[0]) {
          case "registers": return infoRegisters(cpu);
          case "tlb": return infoTlb(cpu);
          case "mem": return infoMem(cpu);
          case "pic": return infoPic(machine);
          case "breakpoints": return infoBreakpoints(this.debugger);
          default: throw new CommandError(`usage: ${spec.usage}`);
        }
      case "x":
      case "xp": {
        if (args.length !== 1) throw new CommandError(`usage: ${spec.usage}`);
        const f = parseFormat(slash >= 0 ? head.slice(slash + 1) : "");
        return dumpMemory(cpu, parseValue(args[0], cpu), f, name === "xp");
      }
      case "stop": case "cont": case "step": case "break": case "delete": case "watch": {
        const out = runControlCommand(name, args, this.debugger, cpu);
        if (name === "step" && this.debugger.lastStop && this.debugger.lastStop.kind !== "step") return this.stopText(this.debugger.lastStop);
        return out;
      }
      case "ps": return kc.ps(this.kernel(name));
      case "vmas": return kc.vmas(this.kernel(name), args);
      case "walk": return kc.walk(this.kernel(name), machine.mem, args);
      case "frame": return kc.frame(this.kernel(name), machine.mem, args);
      case "meminfo": return kc.meminfo(this.kernel(name));
      case "check": return kc.check(this.kernel(name));
      case "prof": return kc.prof(this.kernel(name), args);
      case "pf": return this.pf(args);
      case "savevm": case "loadvm": {
        this.kernel(name);
        if (!this.vmState) throw new CommandError(`${name}: snapshots are not available here`);
        if (args.length !== 1) throw new CommandError(`usage: ${spec.usage}`);
        const store = this.vmState;
        if (name === "savevm") return this.debugger.withoutWatches(() => store.save(args[0]));
        const text = store.load(args[0]);
        this.debugger.machineReplaced();
        return text;
      }
      case "record": case "rewind": case "goto": case "reverse-step": case "reverse-cont":
        return this.timeTravel(name, args, spec.usage);
    }
    throw new CommandError(`unknown command '${name}'`);
  }

  private timeTravel(name: string, args: string[], usage: string): string {
    this.kernel(name);
    const tt = this.travel;
    if (!tt) throw new CommandError(`${name}: time travel is not available here`);
    const m = this.target.machine;
    switch (name) {
      case "record":
        if (args.length === 0) return tt.status();
        if (args.length === 1 && (args[0] === "on" || args[0] === "off")) return tt.record(args[0] === "on");
        throw new CommandError(`usage: ${usage}`);
      case "rewind":
        if (args.length !== 1) throw new CommandError(`usage: ${usage}`);
        tt.gotoCycle(Math.max(0, m.cycles - parseCount(args[0], "rewind")));
        break;
      case "goto": {
        const [what, count, ...rest] = args;
        if (what === "fault" && count !== undefined) {
          const filter: FaultFilter = {};
          if (count === "seq") {
            if (rest.length !== 1) throw new CommandError(`usage: ${usage}`);
            filter.seq = parseCount(rest[0], "goto fault seq");
          }
          for (let i = 0; i < rest.length && filter.seq === undefined; i++) {
            if (rest[i] === "pid" && i + 1 < rest.length) filter.pid = parseCount(rest[++i], "goto fault pid");
            else if (rest[i] === "user") filter.user = true;
            else {
              const d = parseDecision(rest[i]);
              if (!d) throw new CommandError(`goto fault: unknown decision '${rest[i]}' (${Object.keys(DECISION_TEXT).join(", ")})`);
              filter.decision = d;
            }
          }
          const line = tt.gotoFault(filter.seq === undefined ? parseCount(count, "goto fault") : 1, filter);
          this.debugger.machineReplaced();
          return `${line}\ncycle ${m.cycles}, instruction ${m.instructions}: ${describeStop({ kind: "step" }, m.cpu)}`;
        }
        if (args.length !== 2 || (what !== "cycle" && what !== "insn")) throw new CommandError(`usage: ${usage}`);
        if (what === "cycle") tt.gotoCycle(parseCount(count, "goto cycle"));
        else tt.gotoInstruction(parseCount(count, "goto insn"));
        break;
      }
      case "reverse-cont": {
        if (args.length > 0) throw new CommandError(`usage: ${usage}`);
        if (!this.debugger.stepping) throw new CommandError("reverse-cont: no breakpoint or watchpoint set (break EIP, watch VADDR)");
        const hit = tt.reverseContinue(this.debugger.reverseStops());
        this.debugger.machineReplaced();
        const where = `cycle ${m.cycles}, instruction ${m.instructions}: ${describeStop({ kind: "step" }, m.cpu)}`;
        if (!hit) return `no breakpoint reached and no watched value changed since the recording began; at its start, ${where}`;
        const why = this.debugger.reverseStopReason();
        return `${why.kind === "watchpoint" ? describeWatch(why) : "breakpoint"} at ${where}`;
      }
      default: {
        if (args.length > 1) throw new CommandError(`usage: ${usage}`);
        const n = args.length === 1 ? parseCount(args[0], "reverse-step") : 1;
        tt.gotoInstruction(Math.max(0, m.instructions - n));
      }
    }
    this.debugger.machineReplaced();
    return `cycle ${m.cycles}, instruction ${m.instructions}: ${describeStop({ kind: "step" }, m.cpu)}`;
  }

  private pf(args: string[]): string {
    this.kernel("pf");
    this.faults.attach();
    const [sub, ...rest] = args;
    switch (sub) {
      case "trace": {
        if (rest[0] === "on") {
          this.faults.traceOn = true;
          this.faults.tracePid = rest[1] !== undefined ? parseCount(rest[1], "pf trace") : null;
          return `fault trace on${this.faults.tracePid !== null ? ` for pid ${this.faults.tracePid}` : ""}`;
        }
        if (rest[0] === "off") {
          this.faults.traceOn = false;
          return "fault trace off";
        }
        throw new CommandError("usage: pf trace on|off [PID]");
      }
      case "break": {
        if (rest[0] === "off") {
          this.faults.setBreak(null);
          return "fault break off";
        }
        const b: FaultBreak = {};
        for (const w of rest) {
          if (/^[0-9]+$/.test(w)) b.pid = parseInt(w, 10);
          else if (/^0x/i.test(w)) {
            const [s, e] = w.split("-");
            b.start = parseValue(s);
            b.end = e !== undefined ? parseValue(e) : b.start + 1;
            if (b.end <= b.start) throw new CommandError("pf break: empty address range");
          } else {
            const d = parseDecision(w);
            if (!d) throw new CommandError(`pf break: unknown decision '${w}' (${Object.keys(DECISION_TEXT).join(", ")})`);
            b.decision = d;
          }
        }
        this.faults.setBreak(b);
        const parts = [b.pid !== undefined ? `pid ${b.pid}` : "any pid",
          b.start !== undefined ? `${hex(b.start)}-${hex(b.end!)}` : "any address",
          b.decision ? DECISION_TEXT[b.decision] : "any decision"];
        return `fault break: ${parts.join(", ")}`;
      }
      case "step": {
        const held = this.debugger.held;
        if (!this.debugger.stopped || !held || held.vector !== 14) throw new CommandError("pf step: no page fault is held (pf break first)");
        const e = this.faults.step();
        if (!e) return "the kernel handled no page fault (machine stopped)";
        return formatTrace(e);
      }
      case "stats":
        return this.faults.stats();
    }
    throw new CommandError(`usage: ${COMMANDS.find((c) => c.name === "pf")!.usage}`);
  }

  private help(which?: string): string {
    const hasKernel = !!this.target.kernel;
    if (which) {
      const c = COMMANDS.find((x) => x.name === which || x.aliases?.includes(which));
      if (!c) throw new CommandError(`no command '${which}'`);
      return `${c.usage}\n  ${c.help}${c.aliases ? `\n  aliases: ${c.aliases.join(", ")}` : ""}`;
    }
    const lines = COMMANDS.filter((c) => hasKernel || !c.kernel).map((c) => `${c.usage.split(" | ")[0].padEnd(30)} ${c.help}`);
    if (!hasKernel) lines.push("(kernel commands ps vmas walk frame pf prof meminfo check need the vmalab kernel)");
    return lines.join("\n");
  }
}

export { Debugger } from "../emulator/gdb/debugger.ts";
export { traceToJson, formatTrace, type FaultTraceEntry } from "./fault-trace.ts";
