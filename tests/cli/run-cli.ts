// Runs the real vmalab command (node bin/vmalab.mjs) for the CLI tests.

import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs vmalab synchronously with `args`, feeding `input` on stdin. */
export function runCli(args: string[], input = "", timeoutMs = 30_000): CliResult {
  const r = spawnSync(process.execPath, ["bin/vmalab.mjs", ...args], {
    cwd: REPO,
    input,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, VMALAB_DEBUG: "" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs vmalab asynchronously; `input` is written after `delayMs` (stdin stays open until exit). */
export function runCliAsync(args: string[], input = "", delayMs = 0, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/vmalab.mjs", ...args], { cwd: REPO });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    if (input) setTimeout(() => child.stdin.write(input), delayMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The result is a usage mistake: status 2, one stderr line "vmalab: ..." matching `re`, no stack trace. */
export function expectUsageError(r: CliResult, re: RegExp): void {
  expect(r.status).toBe(2);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toMatch(/^vmalab: /);
  expect(lines[0]).toMatch(re);
  expect(r.stdout).toBe("");
}
