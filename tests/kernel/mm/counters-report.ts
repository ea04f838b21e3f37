// Prints the page-table work of fork+exit and fork+exec+exit of a small
// process image under each design (not a test; a quick look at the shape):
//   node bin/run-ts.mjs tests/kernel/mm/counters-report.ts
// "mem" counts the kernel's physical-memory accesses (1 guest cycle each in
// kernel/arch's ChargedMemory); page copies and clears are counted apart.

import { MM_DESIGNS } from "../../../kernel/mm/designs.ts";
import { execMm, exitMm, forkMm } from "../../../kernel/mm/memory.ts";
import type { Mm } from "../../../kernel/mm/mm.ts";
import { doMmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { makeHarness, MemFile, read32U, write32U } from "./helpers.ts";

const areas = Number(process.argv[2] ?? 0);
const rows: string[] = [];
for (const design of MM_DESIGNS) {
  const h = makeHarness(design, 64 << 20);
  const p = h.newMm();
  const file = new MemFile(h.ctx, new Uint8Array(16 * 4096).fill(1));
  doMmap(p, file, 0x0804_8000, 12 * 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 0);
  doMmap(p, file, 0x0805_4000, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, 12);
  doMmap(p, null, 0x0805_8000, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
  doMmap(p, null, 0xbffe_0000, 32 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
  for (let i = 0; i < 12; i++) read32U(h, p, 0x0804_8000 + i * 4096);
  for (let i = 0; i < 4; i++) write32U(h, p, 0x0805_4000 + i * 4096, i);
  for (let i = 0; i < 8; i++) write32U(h, p, 0x0805_8000 + i * 4096, i);
  for (let i = 0; i < 4; i++) write32U(h, p, 0xbfff_f000 - i * 4096, i);
  for (let i = 0; i < areas; i++) {
    doMmap(p, null, 0x4000_0000 + i * 8192, 4096, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
    if (i % 2) read32U(h, p, 0x4000_0000 + i * 8192);
    else write32U(h, p, 0x4000_0000 + i * 8192, i);
  }
  h.switchTo(p);
  const run = (what: string, f: () => void): void => {
    const before = h.ctx.counters.snapshot();
    const mem0 = h.phys.accesses;
    f();
    const d = h.ctx.counters.diff(before);
    rows.push([design.padEnd(9), what.padEnd(16), String(d.pdeVisits).padStart(6), String(d.pteVisits).padStart(7),
      String(d.ptesCopied).padStart(6), String(d.tablesAllocated + d.tablesShared).padStart(5),
      String(h.phys.accesses - mem0).padStart(7)].join(" "));
  };
  run("fork+exit", () => exitMm(forkMm(p, false) as Mm));
  run("fork+exec+exit", () => {
    const c = forkMm(p, false) as Mm;
    h.switchTo(c);
    exitMm(execMm(c) as Mm);
    h.switchTo(p);
  });
}
console.log(`small image (text 12 pages, data 4, bss 8, stack 32) + ${areas} extra areas`);
console.log("design    operation          PDEs    PTEs copied tabs     mem");
for (const r of rows) console.log(r);
