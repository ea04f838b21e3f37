// npm run bench:snapshot [-- --runs N] [-m MIB] [--rewind-seconds S]
//
// Whole-system snapshots (system/snapshot/system-snapshot.ts) of a 128 MiB
// vmalab: file size, save time and restore time for a freshly booted machine
// (at the shell prompt), in the middle of a fork bomb, and with 16 MiB of
// incompressible data in a tmpfs file. Restore is timed into a
// system already built (the boot of the restoring system is not counted: the
// CLI does it while it reads the file). Every restore is checked: same guest
// cycles, and the restored machine runs on to the same output.
// Then time travel (system/timeline.ts): a busy guest (sha256sum of a 4 MiB
// file in a loop) recorded for S guest seconds (default 60), then taken back
// to ten points spread over the run: the latency of each goto (restore the
// nearest snapshot, re-execute to the point), the recording's cost, and how
// fast reverse-cont searches (a single-stepped replay).
// Targets (issue 18): under 0.5 s each way, under 10 MiB for a fresh boot;
// under 1 s to any point of a 60 s run.

import { VmalabSystem } from "../system/system.ts";
import { RunResult } from "../emulator/machine/machine.ts";
import { restoreSnapshot, saveSnapshot } from "../system/snapshot/system-snapshot.ts";
import { Timeline } from "../system/timeline.ts";
import { readFileSync } from "node:fs";

const INITRD = readFileSync(new URL("../userland/build/initramfs.cpio", import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, def: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const runs = option("--runs", 3);
const memorySize = option("-m", 128) * 1048576;
const rewindSeconds = option("--rewind-seconds", 60);

interface Booted { sys: VmalabSystem; out: { text: string } }

function boot(): Booted {
  const out = { text: "" };
  const sys = new VmalabSystem({ builtinInitrd: INITRD, deterministic: true, cmdline: "quiet", memorySize, onConsoleOutput: (b) => (out.text += String.fromCharCode(b)) });
  return { sys, out };
}

function drive(b: Booted, text: string | null, until = Infinity): void {
  const m = b.sys.machine;
  while (text === null ? m.cycles < until : !b.out.text.includes(text)) {
    const r = m.runSlice(Math.min(2_000_000, until - m.cycles));
    if (r === RunResult.Idle) m.clock.cycles = Math.min(until, m.idleUntil === Infinity ? m.clock.cycles + 660_000 : m.idleUntil);
    else if (r !== RunResult.Budget) throw new Error(`machine stopped (${r}); output:\n${b.out.text}`);
  }
}

const SCENES: { name: string; setup: (b: Booted) => void }[] = [
  { name: "fresh boot, at the prompt", setup: (b) => drive(b, "# ") },
  {
    name: "mid fork bomb (-l 12)",
    setup: (b) => {
      drive(b, "# ");
      b.sys.machine.sendInput(new TextEncoder().encode("/bench/fork_bomb -l 12\r"));
      drive(b, null, b.sys.machine.cycles + 3_000_000);
    },
  },
  {
    name: "16 MiB of random bytes in tmpfs",
    setup: (b) => {
      drive(b, "# ");
      b.sys.machine.sendInput(new TextEncoder().encode("dd if=/dev/urandom of=/tmp/r bs=1M count=16 iflag=fullblock 2>/dev/null; echo filled\r"));
      drive(b, "\nfilled\r\n");
    },
  },
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`whole-system snapshots of a ${memorySize / 1048576} MiB guest, median of ${runs} runs (${process.version}, ${process.arch})\n`);
console.log("| state | file MiB | save ms | restore ms |");
console.log("|---|---:|---:|---:|");
for (const scene of SCENES) {
  const size: number[] = [], save: number[] = [], load: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = boot();
    scene.setup(a);
    const t0 = performance.now();
    const bytes = saveSnapshot(a.sys);
    const t1 = performance.now();
    const b = boot();
    const t2 = performance.now();
    restoreSnapshot(b.sys, bytes);
    const t3 = performance.now();
    if (b.sys.machine.cycles !== a.sys.machine.cycles) throw new Error(`${scene.name}: restored at cycle ${b.sys.machine.cycles}, saved at ${a.sys.machine.cycles}`);
    const mark = a.out.text.length;
    const end = a.sys.machine.cycles + 20_000_000;
    drive(a, null, end);
    drive(b, null, end);
    if (b.out.text !== a.out.text.slice(mark)) throw new Error(`${scene.name}: the restored run printed something else`);
    size.push(bytes.length / 1048576);
    save.push(t1 - t0);
    load.push(t3 - t2);
  }
  console.log(`| ${scene.name} | ${median(size).toFixed(2)} | ${median(save).toFixed(0)} | ${median(load).toFixed(0)} |`);
}

/** Boots and starts the busy loop; with `record`, a Timeline from just before it. Returns the system and its Timeline. */
function busy(record: boolean): { a: Booted; t: Timeline | null; from: number } {
  const a = boot();
  drive(a, "# ");
  a.sys.machine.sendInput(new TextEncoder().encode("dd if=/dev/urandom of=/tmp/r bs=1M count=4 iflag=fullblock 2>/dev/null; echo ready\r"));
  drive(a, "\nready\r\n");
  const t = record ? new Timeline(a.sys) : null;
  a.sys.machine.sendInput(new TextEncoder().encode("while :; do sha256sum /tmp/r; done\r"));
  return { a, t, from: a.sys.machine.cycles };
}

{
  const plain = busy(false);
  const p0 = performance.now();
  drive(plain.a, null, plain.from + rewindSeconds * 66_000_000);
  const plainMs = performance.now() - p0;
  const { a, t, from } = busy(true);
  const w0 = performance.now();
  drive(a, null, from + rewindSeconds * 66_000_000);
  const recordMs = performance.now() - w0;
  const st = t!.status();
  const span = a.sys.machine.cycles - from;
  const insns = a.sys.machine.instructions;
  // reverse-cont's search, single-stepped: back to a boundary 10 M instructions ago.
  const m = a.sys.machine;
  const back = m.instructions - 10_000_000;
  const s0 = performance.now();
  t!.reverseUntil(() => m.instructions <= back);
  const scanMs = performance.now() - s0;
  if (m.instructions !== back) throw new Error(`reverse search landed at instruction ${m.instructions}, not ${back}`);
  const lat: number[] = [];
  for (let i = 9; i >= 0; i--) {
    const target = from + Math.floor((span * (i + 0.5)) / 10);
    const t0 = performance.now();
    t!.gotoCycle(target);
    lat.push(performance.now() - t0);
  }
  console.log(`\ntime travel: ${rewindSeconds} s of busy guest time (${(span / 1e6).toFixed(0)} M cycles, ${(insns / 1e6).toFixed(0)} M instructions) ran in ${(recordMs / 1000).toFixed(1)} s wall ` +
    `recorded (${(plainMs / 1000).toFixed(1)} s without): ${st.snapshots} snapshots, ${(st.bytes / 1048576).toFixed(1)} MiB, one every ${st.interval / 1e6} M instructions\n`);
  console.log("| goto to a point of the run | ms |");
  console.log("|---|---:|");
  console.log(`| median of 10 | ${median(lat).toFixed(0)} |`);
  console.log(`| slowest | ${Math.max(...lat).toFixed(0)} |`);
  console.log(`\nreverse-cont's search (one instruction at a time) back over 10 M instructions: ${(scanMs / 1000).toFixed(1)} s`);
}
