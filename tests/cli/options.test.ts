import { describe, it, expect } from "vitest";
import { parseArgs, parseSize, UsageError } from "../../cli/options.ts";

const MiB = 1024 * 1024;

describe("vmalab options", () => {
  it("parses memory sizes like QEMU's -m", () => {
    expect(parseSize("64")).toBe(64 * MiB);
    expect(parseSize("64M")).toBe(64 * MiB);
    expect(parseSize("64m")).toBe(64 * MiB);
    expect(parseSize("1G")).toBe(1024 * MiB);
    expect(parseSize("1.5G")).toBe(1536 * MiB);
    expect(parseSize("2048K")).toBe(2 * MiB);
    expect(parseSize("256MB")).toBe(256 * MiB);
  });

  it("rejects sizes that are not sizes, too small, too big or not whole pages", () => {
    for (const bad of ["", "abc", "64Q", "-5", "0", "512K", "4G", "1.0001M", "1e3"]) {
      expect(() => parseSize(bad), bad).toThrow(UsageError);
    }
    expect(() => parseSize("4G")).toThrow(/^bad memory size '4G': more than 3G/);
    expect(() => parseSize("512K")).toThrow(/less than 1M/);
  });

  it("takes a guest program after run ... --", () => {
    const o = parseArgs(["run", "--verbose", "--append", "mm=lazy", "--", "/bin/sh", "-c", "echo a b"]);
    expect(o.run).toEqual(["/bin/sh", "-c", "echo a b"]);
    expect(o.verbose).toBe(true);
    expect(o.append).toBe("mm=lazy");
  });

  it("reads the monitor, fault-trace and gdb options", () => {
    const o = parseArgs(["--monitor", "--pf-trace", "faults.jsonl", "--gdb", "1234", "--gdb-wait"]);
    expect([o.monitor, o.pfTrace, o.gdb, o.gdbWait]).toEqual([true, "faults.jsonl", 1234, true]);
    expect(() => parseArgs(["--gdb", "99999"])).toThrow(/bad gdb port '99999'/);
    expect(() => parseArgs(["--gdb-wait"])).toThrow(/--gdb-wait needs --gdb PORT/);
  });

  it("has defaults", () => {
    const o = parseArgs([]);
    expect(o.memory).toBe(128 * MiB);
    expect(o.kernel).toBe(null);
    expect(o.debugcon).toEqual({ kind: "none" });
    expect(o.deterministic).toBe(false);
    expect(o.jit).toBe(null); // (the environment's VMALAB_JIT decides, else on)
    expect(parseArgs(["--no-jit"]).jit).toBe(false);
    expect(parseArgs(["--no-jit", "--jit"]).jit).toBe(true); // the last one given
    expect(() => parseArgs(["--no-jit=1"])).toThrow(/^option '--no-jit' takes no value$/);
  });

  it("reads every option, in both --opt value and --opt=value forms", () => {
    const o = parseArgs([
      "-m", "64M", "--kernel", "k.elf", "--initrd=a.cpio,b.cpio", "--initrd", "c", "--append", "mm=vma init=/sh",
      "--debugcon=dbg.txt", "--post-log", "--deterministic", "--jit",
    ]);
    expect(o).toEqual({
      help: false, version: false, memory: 64 * MiB, kernel: "k.elf", bios: null, initrd: ["a.cpio", "b.cpio", "c"],
      append: "mm=vma init=/sh", debugcon: { kind: "file", path: "dbg.txt" }, postLog: true, deterministic: true,
      jit: true, run: null, verbose: false, monitor: false, pfTrace: null, gdb: null, gdbWait: false, volumes: [],
      snapshot: null, snapshotSave: null, record: false,
    });
    expect(parseArgs(["--bios", "rom.bin", "--debugcon", "none"]).debugcon).toEqual({ kind: "none" });
    expect(parseArgs(["--snapshot=a.vmss", "--snapshot-save", "b.vmss"])).toMatchObject({ snapshot: "a.vmss", snapshotSave: "b.vmss" });
  });

  it("turns mistakes into one-line UsageErrors", () => {
    const cases: [string[], RegExp][] = [
      [["--frobnicate"], /^unknown option '--frobnicate' \(try --help\)$/],
      [["--kernel"], /^option '--kernel' needs a value/],
      [["-m"], /^option '-m' needs a value/],
      [["-m", "lots"], /^bad memory size 'lots'/],
      [["kernel.elf"], /^unexpected argument 'kernel.elf'/],
      [["--kernel", "a", "--bios", "b"], /^give either --kernel or --bios, not both$/],
      [["--bios", "b.rom", "--initrd", "x.cpio"], /do not apply to --bios/],
      [["run", "--", "prog"], /run needs a guest program/],
      [["run", "--kernel", "k.elf", "--", "/bin/true"], /run uses the built-in kernel/],
      [["--help=yes"], /takes no value/],
      [["--kernel", "k", "--initrd", "a,,b"], /empty file name/],
    ];
    for (const [argv, re] of cases) {
      expect(() => parseArgs(argv), argv.join(" ")).toThrow(re);
    }
  });
});
