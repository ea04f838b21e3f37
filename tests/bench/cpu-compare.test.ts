// `npm run bench:cpu -- --compare REV`: this tree against a git revision in one run. A
// revision that names no commit is a one-line error; HEAD against this tree measures
// both (REV bundled from git archive) and prints their table.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const benchCpu = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin/run-ts.mjs"), join(root, "bench/cpu.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
const haveHead = spawnSync("git", ["-C", root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).status === 0;

describe("bench:cpu --compare", () => {
  it("a revision that names no commit is a one-line error", () => {
    const r = benchCpu("--compare", "no-such-revision", "--runs", "1", "--only", "int");
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe("bench:cpu: --compare: 'no-such-revision' names no commit of this repository");
  });

  // (a clone without history, such as a downloaded archive, has no HEAD to compare with)
  it.skipIf(!haveHead)("measures this tree against HEAD: a whole program and a kernel, each with a ratio", () => {
    const r = benchCpu("--compare", "HEAD", "--runs", "1", "--only", "fork_exit,int", "1000");
    expect(r.stderr).not.toMatch(/measurement failed/);
    expect(r.status).toBe(0);
    const short = spawnSync("git", ["-C", root, "rev-parse", "--short=7", "HEAD"], { encoding: "utf8" }).stdout.trim();
    expect(r.stdout).toContain(`this tree against ${short}`);
    expect(r.stdout).toMatch(/^\| fork_exit \| [\d.]+ \([\d.]+–[\d.]+\) \| [\d.]+ \([\d.]+–[\d.]+\) \| [\d.]+× \|/m);
    expect(r.stdout).toMatch(/^\| int \| [\d.]+ \([\d.]+–[\d.]+\) \| [\d.]+ \([\d.]+–[\d.]+\) \| [\d.]+× \|$/m);
    expect(r.stdout).not.toContain("retire different instruction counts");
  }, 180_000);
});
