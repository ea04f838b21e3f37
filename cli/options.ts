// The vmalab command line: option parsing and the memory-size syntax.
// Mistakes become a UsageError whose message is one line for the user.

import { MAX_DIRECT_MAP_BYTES } from "../kernel/arch/setup.ts";
import { PAGE_OFFSET } from "../kernel/arch/layout.ts";
import { parseCmdline } from "../kernel/cmdline.ts";
import { MAX_SWAP_BYTES } from "../kernel/mm/swap.ts";
import { MM_DESIGNS, type MmDesignName } from "../kernel/mm/design-names.ts";

/** A mistake on the command line or in a file it names; main prints "vmalab: <message>" and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface CliOptions {
  help: boolean;
  version: boolean;
  /** RAM bytes. */
  memory: number;
  kernel: string | null;
  bios: string | null;
  /** Files passed to the kernel as multiboot modules, in order. */
  initrd: string[];
  append: string;
  /** Where port 0xE9 output goes: the terminal, nowhere, or a file. */
  debugcon: { kind: "stdio" } | { kind: "none" } | { kind: "file"; path: string };
  postLog: boolean;
  deterministic: boolean;
  /** --jit / --no-jit: compile hot guest code to JavaScript or not; null: not given (VMALAB_JIT, else on). */
  jit: boolean | null;
  /** `vmalab run ... -- PROG ARGS`: the guest program to run as init, with its arguments. */
  run: string[] | null;
  /** With `run`: show the kernel's messages too. */
  verbose: boolean;
  /** Start stopped, in the monitor. */
  monitor: boolean;
  /** Write every page fault the kernel handles as a JSON line to this file. */
  pfTrace: string | null;
  /** Listen for gdb on 127.0.0.1:PORT; with gdbWait, start stopped until gdb continues. */
  gdb: number | null;
  gdbWait: boolean;
  /** `-v HOSTDIR:/GUESTDIR[:ro]`: host folders the built-in kernel mounts at boot, in order. */
  volumes: VolumeSpec[];
  /** Start from this snapshot file instead of booting (its RAM size and command line come with it). */
  snapshot: string | null;
  /** Save a snapshot to this file when the run ends (and the monitor's savevm can write others). */
  snapshotSave: string | null;
  /** Record from the start for the monitor's rewind, goto and reverse-step (system/timeline.ts). */
  record: boolean;
  /** `vmalab diff-designs ... -- PROG ARGS` (system/diff-designs.ts); absent otherwise. */
  diff?: DiffDesignsOptions;
}

/** What `vmalab diff-designs` compares: argv under each design, printed as text or JSON. */
export interface DiffDesignsOptions {
  argv: string[];
  designs: MmDesignName[];
  json: boolean;
}

const DIFF_USAGE = "vmalab diff-designs [--designs a,b,...] [--json] [-m SIZE] [--initrd FILE] [--append CMDLINE] -- /path/prog [args]";
/** The options diff-designs takes (besides its own --designs and --json); the others would not apply to its runs. */
const DIFF_OPTIONS = new Set(["memory", "initrd", "append", "help"]);

/** Parses `--designs a,b,...`: known names, no repeats, at least two. Throws UsageError. */
export function parseDesigns(text: string): MmDesignName[] {
  const names = text.split(",").map((n) => n.trim());
  const known = MM_DESIGNS.join(", ");
  for (const n of names) {
    if (n === "") throw new UsageError(`bad --designs '${text}': an empty design name (give some of ${known}, comma-separated)`);
    if (!(MM_DESIGNS as readonly string[]).includes(n)) throw new UsageError(`unknown design '${n}' in --designs (give some of ${known})`);
  }
  if (new Set(names).size < names.length) throw new UsageError(`bad --designs '${text}': a design is named twice`);
  if (names.length < 2) throw new UsageError(`bad --designs '${text}': give two or more designs to compare (of ${known})`);
  return names as MmDesignName[];
}

/** A parsed `-v HOSTDIR:/GUESTDIR[:ro]`. */
export interface VolumeSpec {
  hostDir: string;
  guestPath: string;
  readOnly: boolean;
}

/**
 * Parses `-v HOSTDIR:/GUESTDIR[:ro|:rw]` (HOSTDIR may not contain ':').
 * Throws UsageError for a bad shape, a relative GUESTDIR, '/', '.' or '..' in it, or a bad flag.
 */
export function parseVolume(text: string): VolumeSpec {
  const parts = text.split(":");
  const shape = "give -v HOSTDIR:/GUESTDIR or -v HOSTDIR:/GUESTDIR:ro";
  if (parts.length < 2 || parts.length > 3) throw new UsageError(`bad -v '${text}': ${shape}`);
  const [hostDir, guest, flag] = parts;
  if (hostDir === "") throw new UsageError(`bad -v '${text}': the host directory is empty (${shape})`);
  if (!guest.startsWith("/")) throw new UsageError(`bad -v '${text}': the guest directory '${guest}' is not an absolute path`);
  const comps = guest.split("/").filter((c) => c !== "");
  if (comps.length === 0) throw new UsageError(`bad -v '${text}': a host folder cannot cover the guest's root directory`);
  if (comps.some((c) => c === "." || c === "..")) throw new UsageError(`bad -v '${text}': the guest directory may not contain '.' or '..'`);
  if (flag !== undefined && flag !== "ro" && flag !== "rw") throw new UsageError(`bad -v '${text}': unknown flag ':${flag}' (give :ro or :rw)`);
  return { hostDir, guestPath: "/" + comps.join("/"), readOnly: flag === "ro" };
}

export const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
export const MIN_MEMORY = MIB;
export const MAX_MEMORY = 3 * 1024 * MIB;

/**
 * Parses a memory size as QEMU's -m does: a plain number is MiB; suffixes
 * K, M, G (optionally followed by B, any case) give other units. The result
 * must be a whole number of 4 KiB pages from 1 MiB to 3 GiB. Throws UsageError.
 */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG])?[bB]?$/.exec(text.trim());
  const bad = (why: string) =>
    new UsageError(`bad memory size '${text}': ${why} (give MiB, or a size such as 64M or 1G)`);
  if (!m || text.trim() === "") throw bad("not a size");
  const unit = (m[2] ?? "M").toUpperCase();
  const scale = unit === "K" ? 1024 : unit === "M" ? MIB : 1024 * MIB;
  const bytes = Number(m[1]) * scale;
  if (!Number.isFinite(bytes) || bytes % 4096 !== 0) throw bad("not a whole number of 4 KiB pages");
  if (bytes < MIN_MEMORY) throw bad("less than 1M");
  if (bytes > MAX_MEMORY) throw bad("more than 3G");
  return bytes;
}

/** Options that take a value, by every spelling. */
const VALUE_OPTIONS: Record<string, string> = {
  "-m": "memory",
  "--memory": "memory",
  "--kernel": "kernel",
  "-kernel": "kernel",
  "--bios": "bios",
  "-bios": "bios",
  "--initrd": "initrd",
  "-initrd": "initrd",
  "--append": "append",
  "-append": "append",
  "--debugcon": "debugcon",
  "--pf-trace": "pfTrace",
  "--gdb": "gdb",
  "-v": "volume",
  "--volume": "volume",
  "--snapshot": "snapshot",
  "--snapshot-save": "snapshotSave",
};

const FLAG_OPTIONS: Record<string, string> = {
  "-h": "help",
  "--help": "help",
  "-V": "version",
  "--version": "version",
  "--post-log": "postLog",
  "--deterministic": "deterministic",
  "--verbose": "verbose",
  "--monitor": "monitor",
  "--gdb-wait": "gdbWait",
  "--record": "record",
};

/** Parses argv (without node and the script). Throws UsageError for unknown options, missing or bad values. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    help: false,
    version: false,
    memory: 128 * MIB,
    kernel: null,
    bios: null,
    initrd: [],
    append: "",
    debugcon: { kind: "none" }, // as QEMU: port 0xE9 output only when asked for
    postLog: false,
    deterministic: false,
    jit: null,
    run: null,
    verbose: false,
    monitor: false,
    pfTrace: null,
    gdb: null,
    gdbWait: false,
    volumes: [],
    snapshot: null,
    snapshotSave: null,
    record: false,
  };
  let memoryText = "";
  const RUN_USAGE = "vmalab run [options] -- /path/prog [args]";
  let args = argv;
  let prog: string[] | null = null;
  const sub = args[0] === "run" || args[0] === "diff-designs" ? args[0] : null;
  const SUB_USAGE = sub === "diff-designs" ? DIFF_USAGE : RUN_USAGE;
  let designs: MmDesignName[] = [...MM_DESIGNS];
  let json = false;
  if (sub !== null) {
    const dd = args.indexOf("--");
    prog = dd < 0 ? [] : args.slice(dd + 1);
    args = dd < 0 ? args.slice(1) : args.slice(1, dd);
  }
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    if (arg === "run") throw new UsageError(`'run' must come first: ${RUN_USAGE}`);
    if (arg === "diff-designs") throw new UsageError(`'diff-designs' must come first: ${DIFF_USAGE}`);
    if (arg === "--") throw new UsageError(`'--' starts a guest program, which only run takes (and diff-designs): ${RUN_USAGE}`);
    if (prog !== null && !arg.startsWith("-")) throw new UsageError(`${sub} takes the guest program after '--': ${SUB_USAGE}`);
    let inline: string | null = null;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (sub === "diff-designs" && (arg === "--designs" || arg === "--json")) {
      if (arg === "--json") {
        if (inline !== null) throw new UsageError(`option '--json' takes no value`);
        json = true;
      } else {
        if (inline === null && i + 1 >= args.length) throw new UsageError(`option '--designs' needs a value (give some of ${MM_DESIGNS.join(", ")})`);
        designs = parseDesigns(inline ?? args[++i]);
      }
      continue;
    }
    if (arg === "--jit" || arg === "--no-jit") {
      if (inline !== null) throw new UsageError(`option '${arg}' takes no value`);
      o.jit = arg === "--jit";
      continue;
    }
    const flag = FLAG_OPTIONS[arg];
    if (sub === "diff-designs" && (flag || VALUE_OPTIONS[arg]) && !DIFF_OPTIONS.has(flag ?? VALUE_OPTIONS[arg])) {
      throw new UsageError(`option '${arg}' does not apply to diff-designs: ${DIFF_USAGE}`);
    }
    if (flag) {
      if (inline !== null) throw new UsageError(`option '${arg}' takes no value`);
      (o as unknown as Record<string, boolean>)[flag] = true;
      continue;
    }
    const key = VALUE_OPTIONS[arg];
    if (!key) {
      if (arg.startsWith("-")) throw new UsageError(`unknown option '${args[i]}' (try --help)`);
      throw new UsageError(`unexpected argument '${arg}' (the kernel is given with --kernel FILE; try --help)`);
    }
    let value: string;
    if (inline !== null) value = inline;
    else {
      if (i + 1 >= args.length) throw new UsageError(`option '${arg}' needs a value (try --help)`);
      value = args[++i];
    }
    switch (key) {
      case "memory":
        o.memory = parseSize(value);
        memoryText = value;
        break;
      case "kernel":
      case "bios":
        if (value === "") throw new UsageError(`option '${arg}' needs a file name`);
        o[key] = value;
        break;
      case "initrd":
        for (const f of value.split(",")) {
          if (f === "") throw new UsageError(`option '${arg}' has an empty file name in '${value}'`);
          o.initrd.push(f);
        }
        break;
      case "append":
        o.append = value;
        break;
      case "volume":
        o.volumes.push(parseVolume(value));
        break;
      case "pfTrace":
      case "snapshot":
      case "snapshotSave":
        if (value === "") throw new UsageError(`option '${arg}' needs a file name`);
        o[key] = value;
        break;
      case "gdb": {
        const port = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!(port >= 1 && port <= 65535)) throw new UsageError(`bad gdb port '${value}' (give 1-65535)`);
        o.gdb = port;
        break;
      }
      default: // debugcon
        if (value === "stdio") o.debugcon = { kind: "stdio" };
        else if (value === "none") o.debugcon = { kind: "none" };
        else if (value === "") throw new UsageError(`option '${arg}' needs a file name, 'stdio' or 'none'`);
        else o.debugcon = { kind: "file", path: value };
    }
  }
  if (o.help || o.version) return o;
  if (prog !== null) {
    if (prog.length === 0) throw new UsageError(`${sub} needs a guest program: ${SUB_USAGE}`);
    if (!prog[0].startsWith("/")) throw new UsageError(`${sub} needs a guest program by its absolute path, not '${prog[0]}': ${SUB_USAGE}`);
    if (sub === "diff-designs") {
      if (/(^|\s)mm=/.test(o.append)) throw new UsageError(`diff-designs chooses mm= itself: drop it from --append (use --designs)`);
      o.diff = { argv: prog, designs, json };
    } else o.run = prog;
  }
  if (o.kernel && o.bios) throw new UsageError("give either --kernel or --bios, not both");
  if (o.bios && (o.initrd.length > 0 || o.append !== "")) throw new UsageError("--initrd and --append do not apply to --bios");
  if (o.run && (o.kernel || o.bios)) throw new UsageError("run uses the built-in kernel: drop --kernel/--bios");
  if (o.volumes.length > 0 && (o.kernel || o.bios)) throw new UsageError("-v shares a host folder with the built-in kernel: drop --kernel/--bios");
  if (new Set(o.volumes.map((v) => v.guestPath)).size < o.volumes.length) throw new UsageError("-v: two host folders on the same guest directory");
  if (o.gdbWait && o.gdb === null) throw new UsageError("--gdb-wait needs --gdb PORT");
  if (o.pfTrace && (o.kernel || o.bios)) throw new UsageError("--pf-trace traces the built-in kernel's page faults: drop --kernel/--bios");
  if (o.record && (o.kernel || o.bios || o.run || o.volumes.length > 0)) {
    throw new UsageError("--record needs the built-in kernel's interactive session, without -v (host folders are outside the snapshots)");
  }
  if ((o.snapshot || o.snapshotSave) && (o.kernel || o.bios)) throw new UsageError("snapshots are of the built-in kernel's machine: drop --kernel/--bios");
  if ((o.snapshot || o.snapshotSave) && o.run) throw new UsageError("run starts afresh: drop --snapshot/--snapshot-save (the monitor's savevm works in a session)");
  if (o.snapshot && (memoryText !== "" || o.append !== "" || o.initrd.length > 0)) {
    throw new UsageError("--snapshot brings its RAM size, command line and files: drop -m, --append and --initrd");
  }
  if (!o.kernel && !o.bios) checkBuiltinKernel(o, memoryText);
  return o;
}

/**
 * Refuses what the built-in kernel cannot boot with: RAM beyond its direct
 * map, and any --append word it would warn about and ignore (under `run` its
 * messages are hidden, so the word would be lost silently). Throws UsageError.
 */
function checkBuiltinKernel(o: CliOptions, memoryText: string): void {
  if (o.memory > MAX_DIRECT_MAP_BYTES) {
    throw new UsageError(
      `bad memory size '${memoryText}': the built-in kernel maps all RAM at 0x${PAGE_OFFSET.toString(16).toUpperCase()}, ` +
        `so ${MAX_DIRECT_MAP_BYTES / GIB}G at most (--kernel and --bios take up to ${MAX_MEMORY / GIB}G)`,
    );
  }
  let warning: string | null = null;
  parseCmdline(o.append, (msg) => (warning ??= msg));
  if (warning !== null) throw new UsageError(`bad --append; the built-in kernel would say: ${(warning as string).replace(/^kernel: /, "")}`);
}

/** The --help text. */
export function usage(): string {
  return `Usage: vmalab [options]
       vmalab run [options] [--verbose] -- /path/prog [args]
       vmalab diff-designs [--designs a,b,...] [--json] [-m SIZE] [--initrd FILE] [--append CMDLINE] -- /path/prog [args]
       npm start -- [options]

Runs the vmalab i386 PC with COM1 on this terminal. Without --kernel or --bios
it boots the built-in vmalab kernel to a shell. \`run\` boots it, runs one guest
program, prints only what the program prints (the kernel's messages too with
--verbose) and exits with its status (128 + signal if it was killed). Its stdin,
stdout and stderr are the console where this command's are a terminal, and
binary-clean pipes to them where they are not (files, pipes). \`diff-designs\`
runs the program under each memory-manager design (default: all of
${MM_DESIGNS.join(", ")}) from the same deterministic boot and prints side by
side the page faults each took, the page-table work and where they diverge
(--json: the same as one JSON object); it exits 0 when the program ran to its
exit with the same output and status under every design, 1 when not
(docs/monitor.md).

Options:
  --append "CMDLINE"    the kernel command line: mm=classic|vma|lazy|sharedpt, init=PATH, quiet,
                        swap=SIZE (a RAM-backed swap area of up to ${MAX_SWAP_BYTES / GIB}G); for the built-in
                        kernel a word it would ignore is refused
  --initrd FILE[,FILE]  built-in kernel: more cpio (newc) archives unpacked after the built-in
                        image, later files overriding earlier ones; multiboot: modules, in order
  --kernel FILE         boot a multiboot (v1) kernel image instead: ELF32, or the header's address fields
  --bios FILE           start from a ROM image (4 KiB-256 KiB) at F000:FFF0 instead
  -m SIZE               RAM size: MiB, or with a suffix: 64M, 1G (default 128M); 1M-${MAX_DIRECT_MAP_BYTES / GIB}G for the
                        built-in kernel, which maps all RAM at 0x${PAGE_OFFSET.toString(16).toUpperCase()}; up to ${MAX_MEMORY / GIB}G with --kernel or --bios
  -v HOSTDIR:/GUESTDIR[:ro]
                        built-in kernel: mount the host directory HOSTDIR on GUESTDIR in the guest
                        (made if missing), read-write or read-only (:ro); may be given several times;
                        the guest cannot reach outside HOSTDIR (docs/hostfs.md)
  --debugcon DEST       port 0xE9 output: stdio, a file name, or none (the default)
  --post-log            print every POST code written to port 0x80 on stderr
  --monitor             start stopped, in the monitor (Ctrl-A c switches back to the console)
  --pf-trace FILE       write every page fault the kernel handles to FILE as JSON lines
  --gdb PORT            gdb remote stub on 127.0.0.1:PORT (target remote :PORT)
  --gdb-wait            with --gdb: start stopped until gdb continues
  --snapshot-save FILE  built-in kernel: save the whole machine to FILE when the run ends
                        (Ctrl-A x, a signal, or the guest's exit); the monitor's savevm FILE
                        saves at any moment
  --record              keep snapshots and console input from the start, for the monitor's
                        rewind, goto and reverse-step (also: record on in the monitor)
  --snapshot FILE       start from a snapshot instead of booting: the run goes on exactly where
                        it was saved (same RAM size and command line, given by the file; a
                        file from another vmalab build is refused)
  --deterministic       fixed RTC date (2000-01-01 00:00:00 UTC) and idle time not paced
                        to the wall clock: the same input gives the same run
  --no-jit              run guest code in the interpreter only, without compiling hot code
                        to JavaScript functions (--jit, the default, does; the same results
                        and guest cycles either way; also VMALAB_JIT=0 or 1)
  -h, --help            print this help
  -V, --version         print the version

Terminal: Ctrl-A x quits, Ctrl-A h shows the keys, Ctrl-A Ctrl-A sends Ctrl-A,
Ctrl-A c switches between the console and the monitor (type help there).
Exit status: with \`run\`, the program's; otherwise the guest's isa-debug-exit status ((V << 1) | 1 for a write of V to
port 0xF4), 0 after Ctrl-A x, 1 after a triple fault, 3 when the CPU halts with interrupts disabled (without
--monitor or --gdb, which stop there instead), 2 for a usage mistake or an output that cannot be
written (one "vmalab: ..." line on stderr), 141 when standard output is a pipe its reader closed (the status
of a program killed by SIGPIPE; nothing is printed).
`;
}
