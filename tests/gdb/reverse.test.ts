// gdb's reverse execution through the stub: the built-in kernel's PC recording
// from boot (--record), stopped for gdb (--gdb-wait). Debian's gdb steps three
// instructions forward and one back, and the registers after the step back are
// those after the second step forward; reverse-continue goes back to a
// breakpoint, and to the write that changed a watched value. Without gdb the
// tests skip with the reason; with CI=true they fail.

import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { REPO } from "../cli/run-cli.ts";

const missing = spawnSync("gdb", ["--version"], { stdio: "ignore" }).status === 0 ? null : "gdb is not installed";
if (missing && process.env.CI === "true") throw new Error(`tests/gdb/reverse: ${missing}`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs gdb in batch mode with `commands` against a fresh vmalab stopped for it; returns gdb's output. */
async function gdbSession(commands: string[]): Promise<string> {
  const port = await freePort();
  const vm = spawn(process.execPath, ["bin/vmalab.mjs", "--deterministic", "--record", "--gdb", String(port), "--gdb-wait"], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
  try {
    await new Promise<void>((resolve) => {
      let err = "";
      vm.stderr.on("data", (d) => {
        err += d;
        if (err.includes("waiting for gdb")) resolve();
      });
    });
    const args = ["set confirm off", "set architecture i386", `target remote 127.0.0.1:${port}`, ...commands, "detach"].flatMap((c) => ["-ex", c]);
    const gdb = spawnSync("gdb", ["-batch", "-nx", "-q", ...args], { encoding: "utf8", timeout: 50_000 });
    return gdb.stdout + gdb.stderr;
  } finally {
    vm.kill("SIGKILL");
  }
}

describe("gdb reverse execution", () => {
  it.skipIf(missing !== null)(`reverse-stepi goes back one instruction${missing ? ` (skipped: ${missing})` : ""}`, { timeout: 60_000 }, async () => {
    const regs = "info registers eip esp eax";
    const out = await gdbSession(["stepi", "stepi", regs, "stepi", regs, "reverse-stepi", regs,
      "set $a = $pc", "break *$a", "stepi", "stepi", "reverse-continue", "print $pc == $a"]);
    const blocks = out.split(/\n(?=eip )/).slice(1).map((b) => b.split("\n").slice(0, 3).join("\n"));
    expect(blocks.length, out).toBe(3);
    expect(blocks[1]).not.toBe(blocks[0]);
    expect(blocks[2]).toBe(blocks[0]);
    expect(out).not.toMatch(/Target does not support|not meaningful/);
    expect(out).toMatch(/^\$1 = 1$/m); // reverse-continue stopped at the breakpoint two steps back
  });

  it.skipIf(missing !== null)(`reverse-continue stops at the write to a watched value and says so${missing ? ` (skipped: ${missing})` : ""}`, { timeout: 60_000 }, async () => {
    // At the start the machine is in the kernel's exit path, its ESP at the saved GS of
    // the trap frame; the saved EIP 0x38 bytes up is written at the next entry to the kernel.
    const out = await gdbSession(["set $w = $esp + 0x38", "watch *(int *)$w", "continue", "set $a = $pc",
      "stepi", "stepi", "stepi", "reverse-continue", "stepi", "print $pc == $a"]);
    const stops = [...out.matchAll(/Hardware watchpoint 1: \*\(int \*\)\$w\s+Old value = (-?\d+)\s+New value = (-?\d+)/g)].map((m) => [m[1], m[2]]);
    expect(stops.length, out).toBe(3);
    expect(stops[0][0]).not.toBe(stops[0][1]);
    // going backwards, gdb stops before the write and shows the change undone; the
    // step forward from there writes it again, and is where `continue` stopped
    expect(stops[1], out).toEqual([stops[0][1], stops[0][0]]);
    expect(stops[2], out).toEqual(stops[0]);
    expect(out).not.toMatch(/SIGTRAP|Target does not support/);
    expect(out).toMatch(/^\$1 = 1$/m);
  });
});
