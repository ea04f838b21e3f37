// The console tty takes the host terminal's size: vmalab runs on a
// pseudo-terminal (util-linux script(1)) of 40 rows and 120 columns, and the
// guest's `stty size` (TIOCGWINSZ on the console) reports them.

import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO } from "./run-cli.ts";

const missing = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0 ? null : "util-linux script(1) is not installed";
if (missing && process.env.CI === "true") throw new Error(`tests/cli/winsize: ${missing}`);

/** Runs the interactive PC on a 40x120 pseudo-terminal; types `line` at the first prompt, then quits (Ctrl-A x). */
function onPty(line: string): Promise<string> {
  const cmd = `stty rows 40 cols 120; exec "${process.execPath}" bin/vmalab.mjs --append quiet`;
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: REPO });
    let out = "";
    let typed = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("latin1");
      if (!typed && out.includes("~ # ")) {
        typed = true;
        child.stdin.write(line + "\r");
      } else if (typed && /\r?\n\d+ \d+\r?\n/.test(out)) child.stdin.write("\x01x");
    });
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe("the console's window size", () => {
  it.skipIf(missing !== null)(`is the host terminal's${missing ? ` (skipped: ${missing})` : ""}`, { timeout: 90_000 }, async () => {
    const out = await onPty("stty size");
    expect(out).toMatch(/\r?\n40 120\r?\n/);
  });
});
