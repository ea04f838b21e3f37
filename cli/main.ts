// The vmalab command (bin/vmalab.mjs, `npm start -- ...`): builds a Machine
// from the command line, wires COM1 to the terminal (raw mode when stdin is a
// TTY; piped input is forwarded too; under `run`, each of stdin/stdout/stderr
// that is not a terminal is a pipe to the program instead: cli/run-stdio.ts),
// runs it and exits with the guest's status. User mistakes, and outputs that
// cannot be written, end with one "vmalab: ..." line on stderr and status 2;
// standard output closed by its reader while the console writes to it ends the
// run quietly with 141, the status of a program that SIGPIPE killed (Node
// ignores SIGPIPE, so the process cannot die by it). A CPU halted with
// interrupts disabled ends it with 3 (or stops in the monitor or for gdb).

import { readFileSync, openSync, closeSync, fstatSync, readSync } from "node:fs";
import { basename } from "node:path";
import { execFileSync } from "node:child_process";
import type { Machine } from "../emulator/machine/machine.ts";
import { CPU } from "../emulator/cpu/cpu.ts";
import { ImageError } from "../emulator/machine/image-error.ts";
import { findMultibootHeader } from "../emulator/machine/multiboot.ts";
import { MAX_ROM, validateRom } from "../emulator/machine/bios.ts";
import { MIB, parseArgs, usage, UsageError, type CliOptions, type DiffDesignsOptions } from "./options.ts";
import { EscapeFilter, ESCAPE_HELP } from "./escape.ts";
import { ByteSink, writeAllSync } from "./output.ts";
import { LineEditor } from "./line-editor.ts";
import { runStdio, type RunStdio } from "./run-stdio.ts";
import type { MonitorTarget, VmStateStore } from "../monitor/monitor.ts";
import { Errno } from "../kernel/errno.ts";
import { parseCmdline } from "../kernel/cmdline.ts";
import type { VmalabSystem } from "../system/system.ts";

let rawMode = false;
/** Writes out buffered output and closes the files; set once the run starts. */
let cleanup: () => void = () => {};
let exiting = false;

/** Status for standard output closed by its reader: 128 + SIGPIPE, as a shell reports a program SIGPIPE killed. */
const EXIT_PIPE_CLOSED = 128 + 13;
/** Status when the CPU halted with interrupts disabled (nothing can wake it). */
const EXIT_CPU_HALTED = 3;

/** Writes one line to stderr, with CR LF while the terminal is in raw mode; a failure has nowhere to go. */
function note(line: string): void {
  try {
    writeAllSync(2, Buffer.from(line + (rawMode ? "\r\n" : "\n"), "utf8"));
  } catch {
    // stderr is gone: nothing left to tell
  }
}

/**
 * Ends the process: flushes and closes the outputs (once), restores the
 * terminal, prints "vmalab: message" when given and exits with status. An
 * output that fails while being flushed here turns a plain exit (no message)
 * into that failure's status and message; an error already being reported
 * keeps its own.
 */
function exitWith(status: number, message?: string): never {
  if (!exiting) {
    exiting = true;
    cleanup();
    if (flushFailure && message === undefined) ({ status, message } = flushFailure);
  }
  if (rawMode) process.stdin.setRawMode(false);
  rawMode = false;
  if (message !== undefined) note(`vmalab: ${message}`);
  process.exit(status);
}

/** The first output that failed while exitWith flushed them. */
let flushFailure: { status: number; message?: string } | null = null;

/** An output cannot be written: the run ends with status 2 and a message, or quietly with 141 for EPIPE on stdout. */
function outputFailed(what: string, e: NodeJS.ErrnoException): void {
  const failure =
    what === "standard output" && e.code === "EPIPE"
      ? { status: EXIT_PIPE_CLOSED }
      : { status: 2, message: `cannot write ${what}: ${fsReason(e)}` };
  if (exiting) flushFailure ??= failure;
  else exitWith(failure.status, failure.message);
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The reason a file or socket operation failed, in a few words. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  // libuv's text: "ENOSPC: no space left on device, write", "listen EADDRINUSE: address already in use 127.0.0.1:1"
  const message = String((e as Error)?.message ?? e);
  const text = code ? new RegExp(`\\b${code}: ([^,]+)`).exec(message)?.[1].replace(/ [\d.]+:\d+$/, "") : undefined;
  return text ? `${text} (${code})` : (code ?? message);
}

/**
 * Reads a file the user named, of at most `limit` bytes (`limitText` names
 * the limit): a bigger file, or a device that never ends such as
 * /dev/zero, is refused after reading no more than limit + 1 bytes. Throws
 * UsageError for that and for the usual failures.
 */
function readUserFile(path: string, what: string, limit: number, limitText: string): Uint8Array {
  const tooBig = () => new UsageError(`cannot read ${what} '${path}': more than ${limitText}`);
  let fd = -1;
  try {
    fd = openSync(path, "r");
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error("EISDIR"), { code: "EISDIR" });
    if (st.isFile() && st.size > limit) throw tooBig();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooBig();
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} '${path}': ${fsReason(e)}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** The limit for a kernel or initrd: it has to fit in the guest's RAM. */
function ramLimit(o: CliOptions): [number, string] {
  return [o.memory, `the guest's RAM (-m ${o.memory / MIB}M)`];
}

/** Where guest output goes: console bytes (to the terminal, or held while the monitor is shown) and port 0xE9. */
interface Sinks {
  console: { push(byte: number): void };
  debug: ByteSink | null;
  /** Under run: host ends of the paravirtual console's ports 0-2 (cli/run-stdio.ts). */
  stdio?: RunStdio | null;
}

/**
 * Builds and loads the machine the options describe. Throws UsageError/ImageError.
 * The machine (and the CPU) is imported only here, so --help and option mistakes
 * answer quickly.
 */

async function buildMachine(o: CliOptions, sinks: Sinks): Promise<MonitorTarget> {
  if (!o.kernel && !o.bios) return bootBuiltin(o, sinks);
  const kernel = o.kernel ? readUserFile(o.kernel, "kernel", ...ramLimit(o)) : null;
  const bios = o.bios ? readUserFile(o.bios, "BIOS image", MAX_ROM, `${MAX_ROM / 1024} KiB, the largest ROM`) : null;
  const modules = o.initrd.map((f) => ({ name: f, data: readUserFile(f, "initrd", ...ramLimit(o)) }));
  // header and size checks first: clear errors without loading the emulator
  if (kernel) findMultibootHeader(kernel, basename(o.kernel!));
  if (bios) validateRom(bios, basename(o.bios!));
  const { Machine, DETERMINISTIC_EPOCH } = await import("../emulator/machine/machine.ts");
  const machine = new Machine({
    memorySize: o.memory,
    startTime: o.deterministic ? DETERMINISTIC_EPOCH : undefined,
    onConsoleOutput: (b) => sinks.console.push(b),
    onDebugOutput: o.debugcon.kind !== "none" ? (b) => sinks.debug?.push(b) : undefined,
    onPostCode: o.postLog ? (c) => note(`vmalab: POST code 0x${c.toString(16).padStart(2, "0")}`) : undefined,
    tripleFault: "stop",
    paceIdle: !o.deterministic,
  });
  if (kernel) machine.loadKernel(kernel, { cmdline: o.append, modules, name: basename(o.kernel!) });
  else machine.loadBios(bios!, basename(o.bios!));
  return { machine };
}

/** The built-in initramfs shipped in the package. */
const BUILTIN_INITRD = new URL("../userland/build/initramfs.cpio", import.meta.url);

/** Boots vmalab's own kernel (the default), or runs one program under it for `vmalab run`. */
async function bootBuiltin(o: CliOptions, sinks: Sinks): Promise<MonitorTarget> {
  const builtin = readUserFile(BUILTIN_INITRD.pathname, "built-in initramfs", Infinity, "");
  const initrds = o.initrd.map((f) => ({ name: basename(f), data: readUserFile(f, "initrd", ...ramLimit(o)) }));
  // --snapshot: the machine is built as the one that saved it was, then takes its state.
  const snap = o.snapshot ? await readSnapshot(o.snapshot) : null;
  if (snap?.header.initArgv) throw new UsageError(`cannot use snapshot '${o.snapshot}': it was saved under run`);
  const memory = snap?.header.memorySize ?? o.memory;
  const cmdline = snap?.header.cmdline ?? (o.run && !o.verbose ? `quiet ${o.append}` : o.append);
  const { NodeHostFs, checkVolume } = await import("./hostfs-node.ts");
  for (const v of o.volumes) checkVolume(v);
  const hostShares = o.volumes.map((v) => ({ backend: new NodeHostFs(v.hostDir), guestPath: v.guestPath, readOnly: v.readOnly }));
  const { VmalabSystem } = await import("../system/system.ts");
  const { KernelPanic } = await import("../kernel/panic.ts");
  // Kernel messages go to the console unless quiet, as printk on a serial console; the boot's are kept to be checked.
  const quiet = parseCmdline(cmdline, () => {}).quiet;
  const bootLog: string[] = [];
  let booting = true;
  const onKernelLog = (line: string) => {
    if (booting) bootLog.push(line);
    if (!quiet) for (const ch of line + "\r\n") sinks.console.push(ch.charCodeAt(0) & 0xff);
  };
  let sys: VmalabSystem;
  try {
    sys = new VmalabSystem({
      memorySize: memory,
      cmdline,
      builtinInitrd: builtin,
      initrds,
      deterministic: o.deterministic,
      onConsoleOutput: (b) => sinks.console.push(b),
      paceIdle: !o.deterministic,
      initArgv: o.run ?? undefined,
      onInitExit: o.run ? () => {} : undefined,
      onKernelLog,
      vports: sinks.stdio?.ends,
      hostShares,
    });
  } catch (e) {
    if (!(e instanceof KernelPanic)) throw e;
    // kernel/boot.ts's panic when init's execve fails: for `run`, the program the user named
    const noInit = o.run ? /^No working init found \((.*): error (\d+)\)/.exec(e.message) : null;
    if (noInit) throw new UsageError(`cannot run '${noInit[1]}' in the guest: execve failed with ${Errno[Number(noInit[2])] ?? `error ${noInit[2]}`}`);
    throw new UsageError(`kernel panic: ${e.message}`);
  }
  booting = false;
  if (snap) {
    const { loadSnapshotFile } = await import("./snapshot-files.ts");
    const { SnapshotError } = await import("../system/snapshot/system-snapshot.ts");
    try {
      loadSnapshotFile(sys, o.snapshot!, snap);
    } catch (e) {
      throw e instanceof SnapshotError ? new UsageError(e.message) : e;
    }
    return sys;
  }
  // An archive of the user's that did not unpack whole (a bad entry, no room in RAM) would go unnoticed under run.
  const bad = bootLog.find((line) => initrds.some((a) => line.startsWith(`initramfs ${a.name}: `)));
  if (bad) throw new UsageError(bad.replace(/\(error (\d+)\)$/, (text, n) => (Errno[Number(n)] ? `(${Errno[Number(n)]})` : text)));
  return sys;
}

/** The header and bytes of the snapshot file the user named; UsageError when it cannot be used. */
async function readSnapshot(path: string) {
  const { readSnapshotFile } = await import("./snapshot-files.ts");
  const { SnapshotError } = await import("../system/snapshot/system-snapshot.ts");
  try {
    return readSnapshotFile(path);
  } catch (e) {
    throw e instanceof SnapshotError ? new UsageError(e.message) : e;
  }
}

/** Opens a file the user named for writing; turns the failure into a UsageError. */
function openUserFile(path: string, what: string): number {
  try {
    return openSync(path, "w");
  } catch (e) {
    throw new UsageError(`cannot open ${what} '${path}': ${fsReason(e)}`);
  }
}

/**
 * `vmalab diff-designs`: runs the program under each design from the same
 * deterministic boot and prints the comparison (system/diff-designs.ts); the
 * status is 0 when the program ran to its exit under every design, with the
 * same output and status, and the frame accounting held; else 1.
 */
async function diffDesignsCommand(o: CliOptions, diff: DiffDesignsOptions): Promise<number> {
  const initrds = o.initrd.map((f) => ({ name: basename(f), data: readUserFile(f, "initrd", ...ramLimit(o)) }));
  const { diffDesigns, DiffError } = await import("../system/diff-designs.ts");
  const { diffToJson, formatDiff } = await import("./diff-designs-format.ts");
  let d;
  try {
    const initrd = readUserFile(BUILTIN_INITRD.pathname, "built-in initramfs", Infinity, "");
    d = diffDesigns(diff.argv, { initrd, designs: diff.designs, memorySize: o.memory, cmdline: o.append || undefined, initrds });
  } catch (e) {
    throw e instanceof DiffError ? new UsageError(e.message) : e;
  }
  ByteSink.toFd(1, (e) => outputFailed("standard output", e)).writeText(diff.json ? diffToJson(d) : formatDiff(d));
  return d.outputsIdentical && d.statusesIdentical && d.runs.every((r) => r.status !== null && r.frameCheck.length === 0) ? 0 : 1;
}

/** savevm/loadvm for the monitor: snapshot files (cli/snapshot-files.ts), failures as one-line CommandErrors. */
async function snapshotStore(sys: VmalabSystem, loaded: () => void): Promise<VmStateStore> {
  const { saveSnapshotFile, loadSnapshotFile } = await import("./snapshot-files.ts");
  const { SnapshotError } = await import("../system/snapshot/system-snapshot.ts");
  const { CommandError } = await import("../monitor/format.ts");
  const oneLine = (f: () => string): string => {
    try {
      return f();
    } catch (e) {
      throw e instanceof SnapshotError ? new CommandError(e.message) : e;
    }
  };
  return {
    save: (path) => oneLine(() => saveSnapshotFile(sys, path)),
    load: (path) => {
      const text = oneLine(() => loadSnapshotFile(sys, path));
      loaded();
      return text;
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  if (o.help || o.version) {
    const text = o.help ? usage() : `vmalab ${version()}\n`;
    ByteSink.toFd(1, (e) => outputFailed("standard output", e)).writeText(text);
    return 0;
  }
  CPU.jitByDefault = o.jit ?? process.env.VMALAB_JIT !== "0";
  if (o.diff) return diffDesignsCommand(o, o.diff);
  const stdoutSink = ByteSink.toFd(1, (e) => outputFailed("standard output", e));
  // Output files first: a mistake there stops before the boot. Nothing reaches stdout before the run starts.
  const files: { fd: number; what: string }[] = [];
  let debugSink: ByteSink | null = null;
  if (o.debugcon.kind === "stdio") debugSink = stdoutSink;
  else if (o.debugcon.kind === "file") {
    const path = o.debugcon.path;
    const what = `debugcon file '${path}'`;
    const fd = openUserFile(path, "debugcon file");
    files.push({ fd, what });
    debugSink = ByteSink.toFd(fd, (e) => outputFailed(what, e));
  }
  let traceSink: ByteSink | null = null;
  if (o.pfTrace) {
    const path = o.pfTrace;
    const what = `page-fault trace file '${path}'`;
    const fd = openUserFile(path, "page-fault trace file");
    files.push({ fd, what });
    traceSink = ByteSink.toFd(fd, (e) => outputFailed(what, e));
  }
  const early: number[] = [];
  // run: descriptors that are not terminals become pipes to the guest program (a terminal stays its console)
  const stdio = o.run ? runStdio(o.deterministic, (what, e) => outputFailed(what, e), () => stdoutSink.flush()) : null;
  const sinks: Sinks = { console: { push: (b) => early.push(b) }, debug: debugSink, stdio };
  const target = await buildMachine(o, sinks);
  const machine: Machine = target.machine;
  const { Monitor, traceToJson } = await import("../monitor/monitor.ts");
  const sys = "setConsoleSize" in target ? (target as VmalabSystem) : null;
  const travel = sys ? new (await import("../system/time-travel.ts")).SystemTimeTravel(sys) : null;
  const vmState = sys ? await snapshotStore(sys, () => travel?.restarted()) : undefined;
  const mon = new Monitor(target, undefined, vmState, travel ?? undefined);
  travel?.logFaultsFrom(mon.faults);
  if (o.record) travel?.record(true);

  if (traceSink) {
    const trace = traceSink;
    mon.faults.attach();
    mon.faults.addSink((e) => trace.pushAll(Buffer.from(traceToJson(e) + "\n", "utf8")));
  }
  if (o.gdb !== null) {
    const { startGdbServer } = await import("../emulator/gdb/server.ts");
    try {
      // reverse-stepi and reverse-continue through the recording (record on, or --record)
      const replaced = <T>(r: T): T => (mon.debugger.machineReplaced(), r);
      const stepBack = travel ? () => replaced(travel.gotoInstruction(machine.instructions - 1)) : undefined;
      const continueBack = travel ? () => replaced(travel.reverseContinue(mon.debugger.reverseStops())) : undefined;
      await startGdbServer(machine, o.gdb, { wait: o.gdbWait, debugger: mon.debugger, log: note, stepBack, continueBack });
    } catch (e) {
      throw new UsageError(`cannot listen for gdb on 127.0.0.1:${o.gdb}: ${fsReason(e)}`);
    }
    note(`vmalab: waiting for gdb on 127.0.0.1:${o.gdb}${o.gdbWait ? " (stopped until gdb continues)" : ""}`);
  }

  // From here on the run has started: output is flushed at every exit (files before stdout, whose EPIPE ends quietly).
  cleanup = () => {
    traceSink?.flush();
    if (debugSink !== stdoutSink) debugSink?.flush();
    for (const { fd, what } of files) {
      try {
        closeSync(fd);
      } catch (e) {
        outputFailed(what, e as NodeJS.ErrnoException);
      }
    }
    stdio?.flush();
    stdoutSink.flush();
  };
  const finish = (status: number): never => {
    if (o.snapshotSave && sys && vmState) {
      try {
        stdoutSink.flush();
        note(`vmalab: ${mon.debugger.withoutWatches(() => vmState.save(o.snapshotSave!))}`);
      } catch (e) {
        exitWith(2, (e as Error).message);
      }
    }
    return exitWith(status);
  };
  const writeOut = (text: string) => stdoutSink.writeText(text);

  // The monitor (Ctrl-A c): while it is shown, guest output is held back and typed lines go to it.
  let inMonitor = false;
  const held: number[] = [];
  const editor = new LineEditor("(vmalab) ", {
    write: writeOut,
    submit: (line) => {
      const out = mon.execute(line);
      if (out !== "") writeOut(out.replace(/\n/g, "\r\n") + "\r\n");
      editor.show();
    },
    complete: (prefix) => mon.complete(prefix),
  });
  mon.onAsyncOutput((text) => {
    if (!inMonitor) return;
    writeOut("\r\x1b[K" + text.replace(/\n/g, "\r\n") + "\r\n");
    editor.show();
  });
  const consoleOut = stdoutSink;
  sinks.console = { push: (b: number) => (travel?.replaying ? undefined : inMonitor ? held.push(b) : consoleOut.push(b)) };
  consoleOut.pushAll(early);
  const toggleMonitor = () => {
    consoleOut.flush();
    inMonitor = !inMonitor;
    if (inMonitor) {
      writeOut("\r\nvmalab monitor - type help for commands, Ctrl-A c to return to the console\r\n");
      editor.show();
    } else {
      writeOut("\r\n");
      consoleOut.pushAll(held);
      held.length = 0;
      consoleOut.flush();
    }
  };

  const escape = new EscapeFilter({
    quit: () => finish(0),
    help: () => {
      stdoutSink.flush();
      for (const line of ESCAPE_HELP) note(line);
    },
    monitor: toggleMonitor,
  });

  const stdin = process.stdin;
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    rawMode = true;
    // raw output too (the guest sends its own CR LF), as QEMU's stdio does; setRawMode(false) restores it
    try {
      execFileSync("stty", ["-opost"], { stdio: ["inherit", "ignore", "ignore"] });
    } catch {
      // no stty: output keeps the terminal's newline translation
    }
  }
  // Under run a piped stdin belongs to the guest program (port 0), not to COM1 and the escape keys.
  if (!stdio?.stdinTaken) {
    stdin.on("data", (chunk: Buffer) => {
      const bytes = escape.filter(chunk);
      if (bytes.length === 0) return;
      if (inMonitor) editor.feed(bytes);
      else if (travel) travel.sendInput(bytes);
      else machine.sendInput(bytes);
    });
    stdin.on("error", () => {});
    stdin.resume();
  }
  // The console tty takes the host terminal's size, and SIGWINCH when it changes, as under xterm.js in the page.
  const out = process.stdout;
  if (out.isTTY && sys) {
    const size = () => out.rows > 0 && out.columns > 0 && (travel ?? sys).setConsoleSize(out.rows, out.columns);
    size();
    out.on("resize", size);
  }
  const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const [sig, n] of Object.entries(signals)) process.on(sig, () => finish(128 + n));

  // A dead CPU ends the run, unless someone can look at it (the monitor, gdb).
  mon.debugger.stopOnHalt = o.monitor || o.gdb !== null;
  if (o.monitor) {
    mon.debugger.stop();
    toggleMonitor();
  }
  const outcome = await mon.debugger.run();
  switch (outcome.kind) {
    case "exit":
      return finish(outcome.status & 0xff);
    case "triple-fault":
      stdoutSink.flush();
      note(`vmalab: triple fault (the guest reset the CPU at EIP 0x${(machine.cpu.eip >>> 0).toString(16)}); stopping`);
      return finish(1);
    case "halted": {
      stdoutSink.flush();
      const at = `${outcome.cs.toString(16).padStart(4, "0")}:${outcome.eip.toString(16).padStart(8, "0")}`;
      note(`vmalab: CPU halted with interrupts disabled at ${at}`);
      return finish(EXIT_CPU_HALTED);
    }
    default:
      return finish(0);
  }
}

main(process.argv.slice(2)).then(
  (status) => exitWith(status),
  (e: unknown) => {
    if ((e as Error)?.name === "KernelPanic") exitWith(1, `Kernel panic - not syncing: ${(e as Error).message}`);
    if (e instanceof UsageError || e instanceof ImageError) exitWith(2, e.message);
    const err = e as Error;
    if (err instanceof RangeError && /allocation failed/i.test(err.message)) {
      exitWith(2, `the host cannot allocate the guest's memory (-m, swap=): ${err.message}`);
    }
    const stack = process.env.VMALAB_DEBUG ? `\n${err?.stack ?? ""}` : "";
    exitWith(70, `internal error: ${err?.message ?? String(e)}${stack}`);
  },
);
