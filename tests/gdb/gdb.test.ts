// Debian's gdb attaches to the stub in batch mode: a tiny multiboot kernel with
// symbols (tests/gdb/kernel.asm, built here with nasm + ld.lld) is loaded stopped
// (--gdb-wait), gdb breaks on a symbol, continues, reads a variable and a
// register, sets a write watchpoint, single-steps and lets the guest exit.
// Without gdb/nasm/ld.lld the test skips with the reason; with CI=true it fails.

import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Machine } from "../../emulator/machine/machine.ts";
import { startGdbServer } from "../../emulator/gdb/server.ts";
import { RspParser, framePacket } from "../../emulator/gdb/rsp.ts";

const CI = process.env.CI === "true";
const ASM = resolve(import.meta.dirname, "kernel.asm");

function missingTool(): string | null {
  for (const [tool, arg] of [["gdb", "--version"], ["nasm", "-v"], ["ld.lld", "--version"]]) {
    const r = spawnSync(tool, [arg], { stdio: "ignore" });
    if (r.error || r.status !== 0) return tool;
  }
  return null;
}

function buildKernel(dir: string): string {
  const obj = join(dir, "k.o"), elf = join(dir, "k.elf");
  const a = spawnSync("nasm", ["-f", "elf32", "-g", "-o", obj, ASM], { encoding: "utf8" });
  if (a.status !== 0) throw new Error(`nasm failed: ${a.stderr}`);
  const l = spawnSync("ld.lld", ["-m", "elf_i386", "-Ttext=0x100000", "-e", "_start", "-o", elf, obj], { encoding: "utf8" });
  if (l.status !== 0) throw new Error(`ld.lld failed: ${l.stderr}`);
  return elf;
}

function runGdb(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const g = spawn("gdb", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    g.stdout.on("data", (d) => (out += d));
    g.stderr.on("data", (d) => (out += d));
    g.on("close", (code) => res({ code, out }));
  });
}

describe("gdb remote stub", () => {
  it("frames and parses packets", () => {
    expect(framePacket("OK")).toBe("$OK#9a");
    expect(framePacket("a#b")).toBe("$a}\x03b#43"); // 0x61 + 0x7d + 0x03 + 0x62 = 0x143
    const p = new RspParser();
    expect(p.feed("+$g#67\x03$m10,4#")).toEqual([{ kind: "packet", payload: "g" }, { kind: "interrupt" }]);
    expect(p.feed("2e$x#00")).toEqual([{ kind: "packet", payload: "m10,4" }, { kind: "bad-checksum" }]);
  });

  const missing = missingTool();
  if (missing && CI) throw new Error(`${missing} is required in CI`);
  it.skipIf(missing !== null)(`lets Debian's gdb break, read, watch and step${missing ? ` (skipped: ${missing} not installed)` : ""}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmalab-gdb-"));
    try {
      const elf = buildKernel(dir);
      const machine = new Machine({ memorySize: 16 << 20, startTime: 0 });
      machine.loadKernel(readFileSync(elf));
      const srv = await startGdbServer(machine, 0, { wait: true });
      const run = srv.debugger.run();
      const { code, out } = await runGdb(["-batch", "-nx", "-q", "-ex", "set confirm off",
        "-ex", `target remote 127.0.0.1:${srv.port}`,
        "-ex", "break loop_top", "-ex", "continue", "-ex", "continue",
        "-ex", "print (int)counter", "-ex", "print $ecx",
        "-ex", "delete", "-ex", "watch *(int *)&counter", "-ex", "continue",
        "-ex", "print (int)counter", "-ex", "print/x $eip", "-ex", "stepi", "-ex", "print/x $pc",
        "-ex", "delete", "-ex", "continue", elf]);
      const outcome = await run;
      await srv.close();
      expect(code).toBe(0);
      const lines = out.split("\n").map((l) => l.trim());
      expect(lines).toContain("Breakpoint 1 at 0x100013: file " + ASM + ", line 16.");
      expect(lines.filter((l) => l === "Breakpoint 1, loop_top () at " + ASM + ":16")).toHaveLength(2);
      expect(lines).toContain("$1 = 4097");
      expect(lines).toContain("$2 = 3");
      expect(lines).toContain("Hardware watchpoint 2: *(int *)&counter");
      expect(out).toMatch(/Old value = 4097\s+New value = 4098/);
      expect(lines).toContain("$3 = 4098");
      expect(lines).toContain("$4 = 0x100019");
      expect(lines).toContain("$5 = 0x10001c");
      expect(lines).toContain("[Inferior 1 (Remote target) exited with code 0103]");
      expect(outcome).toEqual({ kind: "exit", status: 0x43 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
