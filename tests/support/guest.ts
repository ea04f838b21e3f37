// A booted vmalab system driven like a person at the console: type a command
// line, wait for the shell's prompt, read what appeared. Deterministic: idle
// time is skipped, never waited for.

import { readFileSync } from "node:fs";
import { VmalabSystem, type SystemOptions } from "../../system/system.ts";
import { RunResult } from "../../emulator/machine/machine.ts";
import { checkFrames } from "../../kernel/mm/check.ts";

export const INITRD = readFileSync(new URL("../../userland/build/initramfs.cpio", import.meta.url));
const PROMPT = "\r\n# ";

export class GuestSession {
  readonly sys: VmalabSystem;
  private out = "";

  constructor(opts: Partial<SystemOptions> = {}) {
    this.sys = new VmalabSystem({
      builtinInitrd: INITRD,
      deterministic: true,
      cmdline: "quiet",
      onConsoleOutput: (b) => {
        this.out += String.fromCharCode(b);
      },
      ...opts,
    });
    // The login shell's prompt shows the directory ("~ # "); tests want a fixed one.
    this.waitFor("# ", 10);
    this.run("PS1='# '");
  }

  get kernel() {
    return this.sys.kernel;
  }

  /** Runs the machine until `text` appears in new output (or guest seconds pass); returns that output. */
  waitFor(text: string, guestSeconds = 60): string {
    const m = this.sys.machine;
    const limit = m.cycles + guestSeconds * 66_000_000;
    while (!this.out.includes(text)) {
      if (m.cycles > limit) throw new Error(`guest: no "${text.trim()}" after ${guestSeconds} s; output:\n${this.out}`);
      const r = m.runSlice(2_000_000);
      if (r === RunResult.Idle) m.clock.cycles = m.idleUntil === Infinity ? m.clock.cycles + 660_000 : m.idleUntil;
      else if (r !== RunResult.Budget) throw new Error(`guest: machine stopped (${r}); output:\n${this.out}`);
    }
    const i = this.out.indexOf(text) + text.length;
    const got = this.out.slice(0, i);
    this.out = this.out.slice(i);
    return got;
  }

  /** Types `line` at the prompt; returns what the command printed (without the echo and the next prompt). */
  run(line: string, guestSeconds = 60): string {
    this.sys.machine.sendInput(new TextEncoder().encode(line + "\r"));
    const got = this.waitFor(PROMPT, guestSeconds);
    const body = got.slice(0, got.length - PROMPT.length);
    const nl = body.indexOf("\n");
    return (nl < 0 ? "" : body.slice(nl + 1)).replace(/\r\n/g, "\n");
  }

  /** Runs a command and returns its output and exit status ($?). */
  runStatus(line: string, guestSeconds = 60): { output: string; status: number } {
    const text = this.run(`${line}; echo "[status=$?]"`, guestSeconds);
    const m = /\[status=(\d+)\]\n?$/.exec(text);
    if (!m) throw new Error(`guest: no status line in:\n${text}`);
    return { output: text.slice(0, m.index), status: Number(m[1]) };
  }

  freeFrames(): number {
    return this.kernel.mmctx.frames.freeCount;
  }

  /** Frame accounting violations (empty when all is well). */
  check(): string[] {
    return checkFrames(this.kernel.mmctx);
  }
}

/**
 * Runs `sys` to the first instruction boundary at or after guest cycle
 * `until`, in slices of `slice` cycles, skipping idle time as the machine's
 * own loop would (deterministic). Throws if the machine stops otherwise.
 */
export function runToCycle(sys: VmalabSystem, until: number, slice = 5_000_000): void {
  const m = sys.machine;
  while (m.cycles < until) {
    const r = m.runSlice(Math.min(slice, until - m.cycles));
    if (r === RunResult.Idle) m.clock.cycles = Math.min(until, m.idleUntil === Infinity ? until : m.idleUntil);
    else if (r !== RunResult.Budget) throw new Error(`machine stopped (${r})`);
  }
}
