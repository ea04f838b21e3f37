// Snapshots from the command line: --snapshot-save writes the machine when the
// session ends, --snapshot starts another session exactly there (shell
// variables, the current directory, a file in tmpfs, a background job), and the
// monitor's savevm/loadvm go back to a saved moment within a session. Files
// that cannot be used are refused with one line.

import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectUsageError, runCli, startCli } from "./run-cli.ts";

/** What follows a monitor command's output: the line editor's fresh prompt. */
const MON = "\r\n\r\x1b[K(vmalab) ";

describe("snapshots on the command line", () => {
  it("saves at Ctrl-A x and goes on from there; savevm and loadvm in the monitor", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmalab-snap-"));
    try {
      const first = join(dir, "first.vmss");
      const a = startCli(["--deterministic", "--snapshot-save", first]);
      await a.waitFor("# ");
      a.send("X=41; cd /tmp; echo hello > f; sleep 1000 &\r");
      await a.waitFor("# ");
      a.send("\x01x");
      expect(await a.exited).toBe(0);
      expect(await a.waitFor(`vmalab: saved ${first}: `)).toBeTruthy();
      expect(existsSync(first)).toBe(true);

      const b = startCli(["--snapshot", first]);
      b.send("echo $((X+1)) $(cat f) $(pwd); jobs\r");
      const got = await b.waitFor("# ");
      expect(got).toMatch(/\r\n42 hello \/tmp\r\n/);
      expect(got).toMatch(/\[1\]\+ +Running +sleep 1000/);

      const second = join(dir, "second.vmss");
      b.send("\x01c");
      await b.waitFor("(vmalab) ");
      b.send(`savevm ${second}\r`);
      expect(await b.waitFor(" ms)\r\n")).toMatch(new RegExp(`saved ${second}: [0-9.]+ MiB at guest cycle \\d+`));
      b.send("\x01c");
      b.send("X=7; echo now $X\r");
      expect(await b.waitFor("# ")).toContain("now 7\r\n");
      b.send("\x01c");
      await b.waitFor("(vmalab) ");
      b.send(`loadvm ${second}\r`);
      expect(await b.waitFor(" ms)\r\n")).toMatch(/restored .*: guest cycle \d+/);
      b.send(`loadvm ${join(dir, "none")}\r`);
      expect(await b.waitFor("directory\r\n")).toMatch(/cannot read snapshot '.*none': no such file or directory/);
      b.send("\x01c");
      b.send("echo back to $X\r");
      expect(await b.waitFor("# ")).toContain("back to 41\r\n");
      b.send("\x01x");
      expect(await b.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it("goes back in time from the monitor: record, goto, rewind, reverse-step", async () => {
    const c = startCli(["--deterministic"]);
    await c.waitFor("# ");
    c.send("\x01c");
    await c.waitFor("(vmalab) ");
    c.send("rewind 10\r");
    expect(await c.waitFor(MON)).toMatch(/not recording: record on first/);
    c.send("record on\r");
    const since = Number(/recording from cycle (\d+)/.exec(await c.waitFor(MON))?.[1]);
    expect(since).toBeGreaterThan(0);
    c.send("\x01c");
    c.send("X=5; echo set $X\r");
    expect(await c.waitFor("# ")).toContain("set 5\r\n");
    c.send("\x01c");
    await c.waitFor("(vmalab) ");
    c.send("record\r");
    expect(await c.waitFor(MON)).toMatch(new RegExp(`recording since cycle ${since}: \\d+ snapshots \\([0-9.]+ MiB\\), one every \\d+ instructions; 1 console inputs`));
    c.send("reverse-step\r");
    expect(await c.waitFor(MON)).toMatch(/cycle \d+, instruction \d+: 0x[0-9a-f]+: +\S/);
    c.send(`goto cycle ${since}\r`);
    expect(await c.waitFor(MON)).toMatch(new RegExp(`cycle ${since}, instruction \\d+:`));
    c.send("\x01c");
    c.send("echo x=$X.\r");
    expect(await c.waitFor("# ")).toContain("x=.\r\n");
    c.send("\x01x");
    expect(await c.exited).toBe(0);
  }, 90_000);

  it("refuses a missing, corrupted or mismatched snapshot with one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "vmalab-snap-"));
    try {
      expectUsageError(runCli(["--snapshot", join(dir, "none")]), /^vmalab: cannot read snapshot '.*none': no such file or directory$/);
      const junk = join(dir, "junk");
      writeFileSync(junk, "not a snapshot at all");
      expectUsageError(runCli(["--snapshot", junk]), /^vmalab: cannot use snapshot '.*junk': not a vmalab snapshot$/);
      expectUsageError(runCli(["--snapshot", junk, "-m", "64"]), /--snapshot brings its RAM size, command line and files: drop -m/);
      expectUsageError(runCli(["run", "--snapshot", junk, "--", "/bin/true"]), /run starts afresh/);
      expectUsageError(runCli(["--record", "-v", `${dir}:/mnt`]), /--record needs the built-in kernel's interactive session, without -v/);
      const saved = join(dir, "s.vmss");
      const r = runCli(["--deterministic", "--snapshot-save", saved], "\x01x", 60_000);
      expect(r.status).toBe(0);
      const bytes = readFileSync(saved);
      writeFileSync(saved, bytes.subarray(0, bytes.length >> 1));
      expectUsageError(runCli(["--snapshot", saved]), /^vmalab: cannot use snapshot '.*s\.vmss': snapshot is truncated or corrupted/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
