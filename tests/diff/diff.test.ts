// Differential CPU tests: each program in tests/diff/bin (built from tests/diff/src by
// build.sh) ran natively on an x86 host once; its output is committed in
// tests/diff/expected/NAME.txt ("## group" sections, then "exit N"). Here every program
// runs in the emulator under the test-only user loader and each section is compared byte
// for byte as its own test case, so a failing instruction group names itself. When the
// host can execute i386 Linux binaries, the committed expectations are re-checked natively.

import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runUserElf, type UserRunResult } from "../support/user-loader.ts";

const here = dirname(fileURLToPath(import.meta.url));
const binDir = join(here, "bin");
const expDir = join(here, "expected");

interface Section {
  name: string;
  text: string;
}

/** Splits program output into "## name" sections (the text includes the header line). */
export function splitSections(out: string): Section[] {
  const sections: Section[] = [];
  for (const line of out.split(/(?<=\n)/)) {
    if (line.startsWith("## ")) sections.push({ name: line.slice(3).trimEnd(), text: "" });
    else if (sections.length === 0) sections.push({ name: "(preamble)", text: "" });
    sections[sections.length - 1].text += line;
  }
  return sections;
}

/** The first few differing lines of two section texts, for the failure message. */
function firstDiffs(want: string, got: string, max = 6): string {
  const w = want.split("\n");
  const g = got.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(w.length, g.length) && out.length < max * 2; i++) {
    if (w[i] !== g[i]) out.push(`  want: ${w[i] ?? "<missing>"}`, `  got:  ${g[i] ?? "<missing>"}`);
  }
  return out.join("\n");
}

function parseExpected(name: string): { stdout: string; exit: number } {
  const text = readFileSync(join(expDir, `${name}.txt`), "latin1");
  const m = /exit (\d+)\n$/.exec(text);
  if (!m) throw new Error(`expected/${name}.txt has no final "exit N" line`);
  return { stdout: text.slice(0, m.index), exit: Number(m[1]) };
}

const programs = existsSync(binDir) ? readdirSync(binDir).filter((f) => existsSync(join(expDir, `${f}.txt`))).sort() : [];

/** Why the native re-run cannot happen on this host, or null when it can (probed once with `bits`). */
function nativeUnavailable(): string | null {
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "ia32")) {
    return `host is ${process.platform}/${process.arch}, not x86 Linux`;
  }
  const probe = spawnSync(join(binDir, "bits"), [], { stdio: "ignore" });
  if (probe.error) return `host cannot execute i386 ELF binaries (${probe.error.message})`;
  return null;
}
const nativeReason = programs.length > 0 ? nativeUnavailable() : "no programs";
const nativeSkip = nativeReason !== null && process.env.CI !== "true";
if (nativeSkip) console.log(`diff.test.ts: skipping the native re-runs: ${nativeReason}`);

describe("differential programs are present", () => {
  it("has built programs with expected outputs", () => {
    expect(programs.length).toBeGreaterThanOrEqual(7);
  });
});

for (const name of programs) {
  const expected = parseExpected(name);
  const sections = splitSections(expected.stdout);

  describe(`diff ${name}`, () => {
    let run: UserRunResult | null = null;
    let runError: unknown = null;
    let got = new Map<string, string>();

    beforeAll(() => {
      try {
        run = runUserElf(new Uint8Array(readFileSync(join(binDir, name))), { argv: [name] });
        for (const s of splitSections(run.stdout)) got.set(s.name, (got.get(s.name) ?? "") + s.text);
      } catch (e) {
        runError = e;
      }
    }, 300_000);

    for (const s of sections) {
      it(`${name}: ${s.name}`, () => {
        if (runError) throw runError;
        const text = got.get(s.name);
        if (text === undefined) {
          throw new Error(`section "${s.name}" missing from the emulator's output (run ended: ${run?.failure ?? "exit " + run?.exitCode})`);
        }
        if (text !== s.text) {
          throw new Error(`section "${s.name}" differs from the native run:\n${firstDiffs(s.text, text)}`);
        }
      });
    }

    it(`${name}: exits with ${expected.exit}`, () => {
      if (runError) throw runError;
      expect(run!.failure).toBeNull();
      expect(run!.exitCode).toBe(expected.exit);
    });

    it.skipIf(nativeSkip)(`${name}: committed expectation matches a native run`, () => {
      if (nativeReason) throw new Error(`cannot run natively: ${nativeReason}`);
      let stdout: string;
      let status = 0;
      try {
        stdout = execFileSync(join(binDir, name), [], { encoding: "latin1", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 });
      } catch (e) {
        const err = e as { status?: number; stdout?: string };
        if (typeof err.status !== "number" || err.stdout === undefined) throw e;
        status = err.status;
        stdout = err.stdout;
      }
      expect(status).toBe(expected.exit);
      expect(stdout === expected.stdout).toBe(true);
    });
  });
}
