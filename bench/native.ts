// The native reference: the same benchmark binaries (taken from the built
// initramfs) run directly on this host, which executes i386 Linux ELF
// programs when its kernel has 32-bit support. Each case runs a few times and
// the fastest run counts, as usual for wall-clock benchmarks on a shared host.
// Timings are never taken under qemu-user (an emulator's figures are not native
// ones): without a kernel that runs i386 programs itself the column stays empty.

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseCpioHeader } from "../kernel/fs/cpio.ts";
import { builtinInitrd } from "./initrd.ts";
import { parseResultLines } from "./result-line.ts";
import type { BenchCase } from "./suite.ts";
import { i386Unavailable } from "../tests/support/i386-reference.ts";

const S_IFMT = 0o170000, S_IFREG = 0o100000;

export interface NativeHost {
  /** Directory holding bench/* and bin/sh, or null when native runs are impossible. */
  root: string | null;
  /** Why there is no native column (when root is null). */
  reason: string;
}

/**
 * Extracts bench/* and bin/* from the initramfs into a fresh temporary
 * directory and checks that the host can execute them (by running bench/nop).
 * The caller removes the directory with closeNativeHost.
 */
export function openNativeHost(): NativeHost {
  const unavailable = i386Unavailable({ native: true, exec: true });
  if (unavailable) return { root: null, reason: unavailable };
  const root = mkdtempSync(join(tmpdir(), "vmalab-native-"));
  const data = builtinInitrd();
  let off = 0;
  for (;;) {
    const h = parseCpioHeader(data, off);
    if ("ok" in h) {
      rmSync(root, { recursive: true, force: true });
      return { root: null, reason: `initramfs: ${h.message}` };
    }
    if (h.name === "TRAILER!!!") break;
    if ((h.mode & S_IFMT) === S_IFREG && /^(bench|bin)\/[^/]+$/.test(h.name)) {
      const path = join(root, h.name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data.subarray(h.dataOffset, h.dataOffset + h.filesize));
      chmodSync(path, h.mode & 0o777);
    }
    off = (h.dataOffset + h.filesize + 3) & ~3;
  }
  const probe = spawnSync(join(root, "bench/nop"), [], { timeout: 10_000 });
  if (probe.error || probe.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    const why = probe.error ? (probe.error as NodeJS.ErrnoException).code ?? probe.error.message : `exit status ${probe.status}`;
    return { root: null, reason: `bench/nop did not run here (${why})` };
  }
  return { root, reason: "" };
}

/** Removes the temporary directory of openNativeHost. */
export function closeNativeHost(h: NativeHost): void {
  if (h.root) rmSync(h.root, { recursive: true, force: true });
}

export interface NativeResult {
  /** Host microseconds per operation (the program's own clock), best of the runs. */
  usPerOp: number | null;
  /** The result line of the best run, or why there is none. */
  line: string;
}

/** Runs the case's measured arguments natively `repeat` times; the fastest run's figure counts. */
export function runNative(h: NativeHost, c: BenchCase, repeat = 3): NativeResult {
  if (!h.root) return { usPerOp: null, line: h.reason };
  let best: NativeResult = { usPerOp: null, line: "no result" };
  for (let i = 0; i < repeat; i++) {
    const p = spawnSync(join(h.root, "bench", c.program), c.args.run, { timeout: 300_000, encoding: "utf8" });
    const { results, errors } = parseResultLines(p.stdout ?? "");
    if (errors.length) return { usPerOp: null, line: errors[0].line };
    if (p.status !== 0 || results.length !== 1) return { usPerOp: null, line: `native run failed (status ${p.status}${p.error ? `, ${p.error.message}` : ""})` };
    const us = results[0].ns / results[0].ops / 1000;
    if (best.usPerOp === null || us < best.usPerOp) best = { usPerOp: Number(us.toFixed(3)), line: results[0].line };
  }
  return best;
}
