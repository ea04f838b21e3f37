// Runs the real vmalab command (node bin/vmalab.mjs) for the CLI tests.

import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, expect } from "vitest";

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

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

/** A running `vmalab` whose output can be awaited (killed after the test whatever happens). */
export function startCli(args: string[]) {
  const child = spawn(process.execPath, ["bin/vmalab.mjs", ...args], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("latin1")));
  child.stderr.on("data", (d: Buffer) => (out += d.toString("latin1")));
  const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
  let mark = 0;
  return {
    exited,
    send: (s: string) => child.stdin.write(s),
    /** Waits until `text` appears after what earlier waits consumed; returns the new output. */
    async waitFor(text: string, ms = 20000): Promise<string> {
      const end = Date.now() + ms;
      for (;;) {
        const i = out.indexOf(text, mark);
        if (i >= 0) {
          const got = out.slice(mark, i + text.length);
          mark = i + text.length;
          return got;
        }
        if (Date.now() > end) throw new Error(`no "${text}" in:\n${out.slice(mark)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
