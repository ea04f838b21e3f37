// The vmalab command (bin/vmalab.mjs, `npm start -- ...`): builds a Machine
// from the command line, wires COM1 to the terminal (raw mode when stdin is a
// TTY; piped input is forwarded too), runs it and exits with the guest's
// status. User mistakes end with one "vmalab: ..." line on stderr and status 2.

import { readFileSync, openSync, closeSync, writeSync } from "node:fs";
import { basename } from "node:path";
import { execFileSync } from "node:child_process";
import type { Machine } from "../emulator/machine/machine.ts";
import { ImageError } from "../emulator/machine/image-error.ts";
import { findMultibootHeader } from "../emulator/machine/multiboot.ts";
import { validateRom } from "../emulator/machine/bios.ts";
import { parseArgs, usage, UsageError, type CliOptions } from "./options.ts";
import { EscapeFilter, ESCAPE_HELP } from "./escape.ts";
import { ByteSink } from "./output.ts";
import { LineEditor } from "./line-editor.ts";
import type { MonitorTarget } from "../monitor/monitor.ts";

let rawMode = false;
/** Writes out buffered guest output; set once the sinks exist. */
let flushOutput: () => void = () => {};

/** Writes one line to stderr, with CR LF while the terminal is in raw mode. */
function note(line: string): void {
  process.stderr.write(line + (rawMode ? "\r\n" : "\n"));
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** The reason a file operation failed, in a few words. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  return code ?? (e as Error).message;
}

/** Reads a file the user named; turns the usual failures into a UsageError. */
function readUserFile(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${what} '${path}': ${fsReason(e)}`);
  }
}

/**
 * Builds and loads the machine the options describe. Throws UsageError/ImageError.
 * The machine (and the CPU) is imported only here, so --help and option mistakes
 * answer quickly.
 */
/** Where guest output goes: console bytes (to the terminal, or held while the monitor is shown) and port 0xE9. */
interface Sinks {
  console: { push(byte: number): void };
  debug: ByteSink | null;
}

async function buildMachine(o: CliOptions, sinks: Sinks): Promise<MonitorTarget> {
  if (!o.kernel && !o.bios) return bootBuiltin(o, sinks);
  const kernel = o.kernel ? readUserFile(o.kernel, "kernel") : null;
  const bios = o.bios ? readUserFile(o.bios, "BIOS image") : null;
  const modules = o.initrd.map((f) => ({ name: f, data: readUserFile(f, "initrd") }));
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
  const builtin = readUserFile(BUILTIN_INITRD.pathname, "built-in initramfs");
  const initrds = o.initrd.map((f) => ({ name: basename(f), data: readUserFile(f, "initrd") }));
  const cmdline = o.run && !o.verbose ? `quiet ${o.append}` : o.append;
  const { VmalabSystem } = await import("../system/system.ts");
  const { KernelPanic } = await import("../kernel/panic.ts");
  try {
    const sys = new VmalabSystem({
      memorySize: o.memory,
      cmdline,
      builtinInitrd: builtin,
      initrds,
      deterministic: o.deterministic,
      onConsoleOutput: (b) => sinks.console.push(b),
      paceIdle: !o.deterministic,
      initArgv: o.run ?? undefined,
      onInitExit: o.run ? () => {} : undefined,
    });
    return sys;
  } catch (e) {
    if (e instanceof KernelPanic) throw new UsageError(`kernel panic: ${e.message}`);
    throw e;
  }
}

async function main(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  if (o.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (o.version) {
    process.stdout.write(`vmalab ${version()}\n`);
    return 0;
  }
  const stdoutSink = ByteSink.toStream(process.stdout);
  const sinks: Sinks = { console: stdoutSink, debug: null };
  const target = await buildMachine(o, sinks);
  const machine: Machine = target.machine;
  const { Monitor, traceToJson } = await import("../monitor/monitor.ts");
  const mon = new Monitor(target);

  let debugFd = -1;
  if (o.debugcon.kind === "stdio") sinks.debug = stdoutSink;
  else if (o.debugcon.kind === "file") {
    const path = o.debugcon.path;
    try {
      debugFd = openSync(path, "w");
    } catch (e) {
      throw new UsageError(`cannot open debugcon file '${path}': ${fsReason(e)}`);
    }
    sinks.debug = ByteSink.toFd(debugFd);
  }
  const debugSink = sinks.debug;

  // a closed output pipe (vmalab ... | head) ends the run quietly, as SIGPIPE would
  process.stdout.on("error", () => process.exit(141));

  flushOutput = () => {
    stdoutSink.flush();
    debugSink?.flush();
  };
  const finish = (status: number): never => {
    flushOutput();
    if (debugFd >= 0) closeSync(debugFd);
    if (rawMode) process.stdin.setRawMode(false);
    rawMode = false;
    process.exit(status);
  };

  if (o.pfTrace) {
    let fd: number;
    try {
      fd = openSync(o.pfTrace, "w");
    } catch (e) {
      throw new UsageError(`cannot open page-fault trace file '${o.pfTrace}': ${fsReason(e)}`);
    }
    mon.faults.attach();
    mon.faults.addSink((e) => writeSync(fd, traceToJson(e) + "\n"));
  }
  if (o.gdb !== null) {
    const { startGdbServer } = await import("../emulator/gdb/server.ts");
    try {
      await startGdbServer(machine, o.gdb, { wait: o.gdbWait, debugger: mon.debugger, log: note });
    } catch (e) {
      throw new UsageError(`cannot listen for gdb on 127.0.0.1:${o.gdb}: ${fsReason(e)}`);
    }
    note(`vmalab: waiting for gdb on 127.0.0.1:${o.gdb}${o.gdbWait ? " (stopped until gdb continues)" : ""}`);
  }

  // The monitor (Ctrl-A c): while it is shown, guest output is held back and typed lines go to it.
  let inMonitor = false;
  const held: number[] = [];
  const editor = new LineEditor("(vmalab) ", {
    write: (text) => process.stdout.write(text),
    submit: (line) => {
      const out = mon.execute(line);
      if (out !== "") process.stdout.write(out.replace(/\n/g, "\r\n") + "\r\n");
      editor.show();
    },
    complete: (prefix) => mon.complete(prefix),
  });
  mon.onAsyncOutput((text) => {
    if (!inMonitor) return;
    process.stdout.write("\r\x1b[K" + text.replace(/\n/g, "\r\n") + "\r\n");
    editor.show();
  });
  const consoleOut = stdoutSink;
  sinks.console = { push: (b: number) => (inMonitor ? held.push(b) : consoleOut.push(b)) };
  const toggleMonitor = () => {
    consoleOut.flush();
    inMonitor = !inMonitor;
    if (inMonitor) {
      process.stdout.write("\r\nvmalab monitor - type help for commands, Ctrl-A c to return to the console\r\n");
      editor.show();
    } else {
      process.stdout.write("\r\n");
      consoleOut.pushAll(Uint8Array.from(held));
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
  stdin.on("data", (chunk: Buffer) => {
    const bytes = escape.filter(chunk);
    if (bytes.length === 0) return;
    if (inMonitor) editor.feed(bytes);
    else machine.sendInput(bytes);
  });
  stdin.on("error", () => {});
  stdin.resume();
  const signals = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const [sig, n] of Object.entries(signals)) process.on(sig, () => finish(128 + n));

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
    default:
      return finish(0);
  }
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (e: unknown) => {
    flushOutput();
    if (rawMode) process.stdin.setRawMode(false);
    rawMode = false;
    if ((e as Error)?.name === "KernelPanic") {
      process.stderr.write(`vmalab: Kernel panic - not syncing: ${(e as Error).message}\n`);
      process.exit(1);
    }
    if (e instanceof UsageError || e instanceof ImageError) {
      process.stderr.write(`vmalab: ${e.message}\n`);
      process.exit(2);
    }
    const err = e as Error;
    process.stderr.write(`vmalab: internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.VMALAB_DEBUG) process.stderr.write(`${err?.stack ?? ""}\n`);
    process.exit(70);
  },
);
