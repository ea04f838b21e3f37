// The CLI as a person uses it: boot the built-in kernel to the shell prompt,
// run a pipeline, interrupt a sleeping job with ^C, leave with Ctrl-A x; and
// `vmalab run`, which prints only the program's output and returns its status.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { startCli } from "./run-cli.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = new URL("../../bin/vmalab.mjs", import.meta.url).pathname;

describe("vmalab CLI with the built-in kernel", () => {
  it("boots to a shell, runs a pipeline, ^C kills the foreground job, Ctrl-A x quits", async () => {
    const cli = startCli(["--deterministic"]);
    await cli.waitFor("# ");
    cli.send("echo one two three | wc -w\r");
    expect(await cli.waitFor("# ")).toMatch(/\r\n3\r\n/);
    cli.send("sleep 100\r");
    await cli.waitFor("sleep 100\r\n");
    cli.send("\x03");
    await cli.waitFor("# ");
    cli.send("echo status=$?\r");
    expect(await cli.waitFor("# ")).toContain("status=130");
    cli.send("\x01x");
    expect(await cli.exited).toBe(0);
  }, 60000);

  it("shows what the README's first screen shows: busybox ash, arithmetic, awk with floating point, ls | head", async () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = /`npm start` boots to a shell[^\n]*\n\n```\n([\s\S]*?)```/.exec(readme);
    expect(block, "the session block near the top of README.md").not.toBeNull();
    const session = block![1].split("\n").slice(0, -1);
    const cli = startCli(["--deterministic"]);
    await cli.waitFor("~ # ");
    for (let i = 0; i < session.length; ) {
      const cmd = session[i++].replace(/^~ # /, "");
      const want: string[] = [];
      while (i < session.length && !session[i].startsWith("~ # ")) want.push(session[i++]);
      cli.send(`${cmd}\r`);
      const got = (await cli.waitFor("~ # ")).replace(/\x1b\[6n/g, "").split("\r\n");
      expect(got.slice(1, -1), cmd).toEqual(want);
    }
    cli.send("\x01x");
    expect(await cli.exited).toBe(0);
  }, 60000);

  it("switches to the monitor with Ctrl-A c and back, and the shell still works", async () => {
    const cli = startCli(["--deterministic"]);
    await cli.waitFor("# ");
    cli.send("\x01c");
    await cli.waitFor("(vmalab) ");
    cli.send("ps\r");
    const ps = (await cli.waitFor(" sh\r\n")) + (await cli.waitFor("(vmalab) "));
    expect(ps).toMatch(/PID +PPID +TGID S +RSS\(kB\) +VSZ\(kB\) COMM/);
    expect(ps).toMatch(/\n +1 +0 +1 S .* init\r?\n/);
    expect(ps).toMatch(/\n +2 +1 +2 S .* sh\r?\n/);
    cli.send("\x01c");
    cli.send("echo still here\r");
    expect(await cli.waitFor("# ")).toContain("still here\r\n");
    cli.send("\x01x");
    expect(await cli.exited).toBe(0);
  }, 60000);

  it("runs one program with `run` and exits with its status", () => {
    const r = spawnSync(process.execPath, [BIN, "run", "--deterministic", "--", "/bin/sh", "-c", "echo hello from the guest; exit 3"], {
      encoding: "latin1",
      timeout: 60000,
    });
    expect(r.stdout).toBe("hello from the guest\n"); // a pipe, not the console: no CR
    expect(r.stderr).toBe("");
    expect(r.status).toBe(3);
  });

  it("passes on the status of a child killed by a signal as 128 + the signal", () => {
    // The program runs as pid 1, which (as on Linux) ignores kill(); its child does not.
    const r = spawnSync(process.execPath, [BIN, "run", "--", "/bin/sh", "-c", "/bin/sh -c 'kill -SEGV $$'; exit $?"], {
      encoding: "latin1",
      timeout: 60000,
    });
    expect(r.status).toBe(128 + 11);
  });

  it("says so in one line when the program does not exist", () => {
    const r = spawnSync(process.execPath, [BIN, "run", "--", "/bin/nonexistent"], { encoding: "latin1", timeout: 60000 });
    expect(r.stderr).toMatch(/^vmalab: .*\/bin\/nonexistent.*\n$/);
    expect(r.status).not.toBe(0);
  });

  it("writes every page fault as a JSON line with --pf-trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "vmalab-pf-"));
    try {
      const file = join(dir, "faults.jsonl");
      const r = spawnSync(process.execPath, [BIN, "run", "--deterministic", "--pf-trace", file, "--", "/tests/fork_cow"], {
        encoding: "latin1",
        timeout: 60000,
      });
      expect(r.status).toBe(0);
      const entries = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(entries.length).toBeGreaterThan(10);
      for (const e of entries) expect(Object.keys(e)).toEqual(["seq", "cycle", "pid", "comm", "eip", "address", "error", "errorText", "vma", "decision", "oldPfn", "newPfn", "cycles"]);
      const decisions = new Set(entries.map((e) => e.decision));
      expect(decisions).toContain("cow-copy");
      expect(decisions).toContain("demand-zero");
      expect(entries.every((e) => e.comm === "fork_cow")).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
