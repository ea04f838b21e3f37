// gdb's reverse-stepi through the stub: the built-in kernel's PC recording
// from boot (--record), stopped for gdb (--gdb-wait); Debian's gdb steps three
// instructions forward and one back, and the registers after the step back are
// those after the second step forward. Without gdb the test skips with the
// reason; with CI=true it fails.

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

describe("gdb reverse execution", () => {
  it.skipIf(missing !== null)(`reverse-stepi goes back one instruction${missing ? ` (skipped: ${missing})` : ""}`, { timeout: 60_000 }, async () => {
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
      const regs = "info registers eip esp eax";
      const gdb = spawnSync("gdb", ["-batch", "-nx", "-q", "-ex", "set confirm off", "-ex", "set architecture i386",
        "-ex", `target remote 127.0.0.1:${port}`,
        "-ex", "stepi", "-ex", "stepi", "-ex", regs, "-ex", "stepi", "-ex", regs,
        "-ex", "reverse-stepi", "-ex", regs,
        "-ex", "set $a = $pc", "-ex", "break *$a", "-ex", "stepi", "-ex", "stepi", "-ex", "reverse-continue",
        "-ex", "print $pc == $a", "-ex", "detach"], { encoding: "utf8", timeout: 50_000 });
      const out = gdb.stdout + gdb.stderr;
      const blocks = out.split(/\n(?=eip )/).slice(1).map((b) => b.split("\n").slice(0, 3).join("\n"));
      expect(blocks.length, out).toBe(3);
      expect(blocks[1]).not.toBe(blocks[0]);
      expect(blocks[2]).toBe(blocks[0]);
      expect(out).not.toMatch(/Target does not support|not meaningful/);
      expect(out).toMatch(/^\$1 = 1$/m); // reverse-continue stopped at the breakpoint two steps back
    } finally {
      vm.kill("SIGKILL");
    }
  });
});
