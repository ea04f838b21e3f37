// Census of what a whole-machine snapshot would hold today: boots the PC to
// its shell, leaves a few processes alive (a sleeping child, a pipeline
// blocked on a pipe, a shell waiting on the console), then walks the system
// from its root with the object-graph serializer (system/snapshot/graph.ts)
// and prints objects and bytes by class, timings, and every value that cannot
// be data yet, grouped by the class field holding it: the to-do list for
// making the kernel snapshot-able.
//
//   node bin/run-ts.mjs tools/snapshot-census.ts [--all] [--write FILE] [--cmd LINE [--mid CYCLES]]
//
// --cmd types LINE at the shell instead and takes the census CYCLES (default
// 20 M) later, mid-run (e.g. --cmd '/bench/fork_bomb -l 8').

import { readFileSync, writeFileSync } from "node:fs";
import { VmalabSystem } from "../system/system.ts";
import { RunResult } from "../emulator/machine/machine.ts";
import { ClassRegistry } from "../system/snapshot/registry.ts";
import { readGraph, writeGraph, type OpaqueValue } from "../system/snapshot/graph.ts";

const args = process.argv.slice(2);
const showAll = args.includes("--all");
const option = (name: string): string | null => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const writeTo = option("--write");
const cmd = option("--cmd");
const mid = Number(option("--mid") ?? 20_000_000);

const INITRD = readFileSync(new URL("../userland/build/initramfs.cpio", import.meta.url));
let out = "";
const sys = new VmalabSystem({ builtinInitrd: INITRD, deterministic: true, cmdline: "quiet", onConsoleOutput: (b) => (out += String.fromCharCode(b)) });
const m = sys.machine;

/** Runs until `text` shows up in the console output (idle time skipped). */
function waitFor(text: string): void {
  const limit = m.cycles + 120 * 66_000_000;
  while (!out.includes(text)) {
    if (m.cycles > limit) throw new Error(`no "${text}" on the console; output:\n${out}`);
    const r = m.runSlice(2_000_000);
    if (r === RunResult.Idle) m.clock.cycles = m.idleUntil === Infinity ? m.clock.cycles + 660_000 : m.idleUntil;
    else if (r !== RunResult.Budget) throw new Error(`machine stopped (${r}); output:\n${out}`);
  }
  out = out.slice(out.indexOf(text) + text.length);
}

waitFor("# ");
if (cmd === null) {
  m.sendInput(new TextEncoder().encode("sleep 100 & cat /dev/zero | sleep 100 & echo started\r"));
  waitFor("started");
  waitFor("# ");
  for (let i = 0; i < 5; i++) m.runSlice(1_000_000);
} else {
  m.sendInput(new TextEncoder().encode(cmd + "\r"));
  const end = m.cycles + mid;
  while (m.cycles < end) {
    const r = m.runSlice(Math.min(1_000_000, end - m.cycles));
    if (r === RunResult.Idle) m.clock.cycles = m.idleUntil === Infinity ? end : Math.min(end, m.idleUntil);
    else if (r !== RunResult.Budget) throw new Error(`machine stopped (${r}); output:\n${out}`);
  }
}
const k = sys.kernel;
console.log(`console since the prompt: ${JSON.stringify(out.slice(-300))}`);
console.log(`booted: ${m.cycles} cycles, ${k.tasks.size} tasks (${[...k.tasks.values()].map((t) => `${t.pid}:${t.comm}`).join(" ")})`);

const registry = new ClassRegistry();
const t0 = performance.now();
const w = writeGraph(sys, registry, { autoRegister: true, census: true });
const t1 = performance.now();
const r = readGraph(w.bytes, registry);
const t2 = performance.now();
if (writeTo) writeFileSync(writeTo, w.bytes);

const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;
console.log(`\nobjects ${w.objects}, classes ${w.autoRegistered.length} (auto-registered), opaque values ${w.opaque.length}`);
console.log(`graph section ${mib(w.graphBytes)} raw; buffers ${mib(w.bufferBytes)} raw; file ${mib(w.bytes.length)}`);
console.log(`serialize ${(t1 - t0).toFixed(0)} ms (blobs ${w.blobMs.toFixed(0)} ms), deserialize ${(t2 - t1).toFixed(0)} ms (blobs ${r.blobMs.toFixed(0)} ms), ${r.objects} objects`);
const big = [...w.classes].filter(([n]) => n === "ArrayBuffer" || n === "SharedArrayBuffer");
console.log(`buffers: ${big.map(([n, s]) => `${s.count} ${n} (${s.bytes} record bytes inline)`).join(", ")}`);

console.log("\nobjects by class (record bytes before compression):");
const rows = [...w.classes].sort((a, b) => b[1].count - a[1].count);
for (const [name, s] of showAll ? rows : rows.slice(0, 40)) console.log(`  ${String(s.count).padStart(8)}  ${String(s.bytes).padStart(10)}  ${name}`);
if (!showAll && rows.length > 40) console.log(`  … ${rows.length - 40} more (--all)`);

console.log("\nunserializable values by site (site: kind ×count; first path; what it is):");
const bySite = new Map<string, OpaqueValue[]>();
for (const o of w.opaque) {
  const key = `${o.site}: ${o.kind}`;
  const list = bySite.get(key) ?? [];
  list.push(o);
  bySite.set(key, list);
}
for (const [site, list] of [...bySite].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
  console.log(`  ${site} ×${list.length}`);
  console.log(`      e.g. ${list[0].path}`);
  if (list[0].detail) console.log(`      ${list[0].detail}`);
}
if (w.notes.length > 0) console.log(`\nnotes:\n  ${w.notes.join("\n  ")}`);
