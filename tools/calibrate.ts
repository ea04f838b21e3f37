// Measures the kernel cost table: the C in tools/calibrate/ (Linux 1.3/2.0 memory-manager
// code written afresh) is compiled by clang for a bare i486 (-O2, freestanding), linked
// into a multiboot kernel and run on vmalab's own Machine (CPL 0, paging off, so every
// count is the CPU's cache-hit instruction timing and no TLB miss is in it). The kernel
// times each unit with RDTSC at three work counts; a unit's cost is the exact slope, and
// the three points must be collinear. Writes kernel/arch/kernel-cost.ts.
//
//   npm run calibrate              measure, print the table, write kernel/arch/kernel-cost.ts
//   npm run calibrate -- --check   measure and fail (exit 1) if the committed file differs
//
// Without clang or ld.lld it says so and exits 2.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Machine, RunResult, DETERMINISTIC_EPOCH } from "../emulator/machine/machine.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SRC = join(ROOT, "tools", "calibrate");
export const COST_FILE = join(ROOT, "kernel", "arch", "kernel-cost.ts");

const C_SOURCES = ["main.c", "pgtable.c", "page_alloc.c", "vma.c", "tlb.c"];
/** clang as the brief gives it, plus what Linux 2.0's Makefile adds (-fomit-frame-pointer). */
const CFLAGS = [
  "--target=i386-unknown-none-elf", "-march=i486", "-O2", "-ffreestanding", "-fno-pic", "-nostdlib",
  "-fomit-frame-pointer", "-fno-stack-protector", "-fno-asynchronous-unwind-tables",
  "-Wall", "-Wextra", "-Werror",
];
const RAM = 32 << 20;
const MAX_CYCLES = 200_000_000;

/** One measured point: `cycles` over `div` repetitions at work count `n`. */
interface Point {
  n: number;
  cycles: number;
  div: number;
}

/** A unit of the table: its member name, what one unit is, the Linux code the C mirrors, and its exact value from the series slopes. */
export interface Unit {
  name: string;
  what: string;
  mirrors: string;
  exact: number;
  cycles: number;
}

/** Returns why the toolchain is unusable, or null. */
export function missingToolchain(): string | null {
  for (const tool of ["clang", "ld.lld"]) {
    const r = spawnSync(tool, ["--version"], { encoding: "utf8" });
    if (r.error || r.status !== 0) return `${tool} is needed to build the calibration code (apt-get install clang lld)`;
  }
  return null;
}

function tool(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${(r.stderr || String(r.error)).trimEnd()}`);
}

/** Compiles and links tools/calibrate/ into a multiboot ELF image; returns its bytes. */
export function buildImage(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "vmalab-calibrate-"));
  try {
    const objs = [join(dir, "start.o")];
    tool("clang", ["--target=i386-unknown-none-elf", "-march=i486", "-c", join(SRC, "start.S"), "-o", objs[0]]);
    for (const src of C_SOURCES) {
      const obj = join(dir, src.replace(/\.c$/, ".o"));
      tool("clang", [...CFLAGS, "-c", join(SRC, src), "-o", obj]);
      objs.push(obj);
    }
    const elf = join(dir, "calibrate.elf");
    tool("ld.lld", ["-m", "elf_i386", "-T", join(SRC, "link.ld"), "--build-id=none", "-o", elf, ...objs]);
    return new Uint8Array(readFileSync(elf));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Boots the image on a Machine, runs it to HLT and returns the measured series by name. */
export function runImage(image: Uint8Array): Map<string, Point[]> {
  let out = "";
  const m = new Machine({ memorySize: RAM, startTime: DETERMINISTIC_EPOCH, tripleFault: "stop", onConsoleOutput: (b) => (out += String.fromCharCode(b)) });
  m.loadKernel(image);
  let r: RunResult;
  do r = m.runSlice(50_000_000);
  while (r === RunResult.Budget && m.cycles < MAX_CYCLES);
  const lines = out.split("\n").filter((l) => l !== "");
  const errors = lines.filter((l) => l.startsWith("error "));
  if (errors.length) throw new Error(`the calibration kernel reported: ${errors.map((l) => l.slice(6)).join("; ")}`);
  if (r !== RunResult.Halted || lines[lines.length - 1] !== "done") throw new Error(`the calibration kernel did not finish (run result ${r}, after ${m.cycles} cycles)`);
  const series = new Map<string, Point[]>();
  for (const line of lines.slice(0, -1)) {
    const [name, n, cycles, div] = line.split(" ");
    if (!series.has(name)) series.set(name, []);
    series.get(name)!.push({ n: Number(n), cycles: Number(cycles), div: Number(div) });
  }
  return series;
}

/** Cycles per unit of work count of a series: the slope of cycles/div over n, required to be the same between every pair of points. */
export function slope(series: Map<string, Point[]>, name: string): number {
  const pts = series.get(name);
  if (!pts || pts.length < 2) throw new Error(`series ${name} was not measured`);
  const y = (p: Point): number => p.cycles / p.div;
  const s = (y(pts[1]) - y(pts[0])) / (pts[1].n - pts[0].n);
  for (let i = 2; i < pts.length; i++) {
    const si = (y(pts[i]) - y(pts[i - 1])) / (pts[i].n - pts[i - 1].n);
    if (si !== s) throw new Error(`series ${name} is not linear: ${s} then ${si} cycles per unit`);
  }
  return s;
}

const mean = (a: number, b: number): number => (a + b) / 2;

/** The cost table's units from the measured series (the enum's members, in order). */
export function units(series: Map<string, Point[]>): Unit[] {
  const s = (name: string): number => slope(series, name);
  const list: Omit<Unit, "cycles">[] = [
    { name: "PGD_SCAN", what: "one not-present user PDE in a whole-directory loop (mean of the fork and exit loops)", mirrors: "copy_page_tables, clear_page_tables (1.3)", exact: mean(s("pgd_scan_copy"), s("pgd_scan_clear")) },
    { name: "PGD_RANGE", what: "one PDE slot of a range walk (pgd_offset, slot end, folded pmd level, entry and exit of the PTE loop; mean of copy and zap)", mirrors: "copy_page_range/copy_pmd_range, zap_page_range/zap_pmd_range (2.0)", exact: mean(s("pgd_slot_copy") - 1024 * s("pte_scan_copy"), s("pgd_slot_zap") - 1024 * s("pte_scan_zap")) },
    { name: "PTE_SCAN", what: "one none PTE in a page-table loop (mean of the copy and zap loops)", mirrors: "copy_pte_range, zap_pte_range (2.0)", exact: mean(s("pte_scan_copy"), s("pte_scan_zap")) },
    { name: "PTE_COPY", what: "copying one present private writable PTE, beyond the copy loop's own scan of it", mirrors: "copy_one_pte (2.0)", exact: s("pte_present_copy") - s("pte_scan_copy") },
    { name: "PTE_ZAP", what: "zapping one present PTE (pte_clear, rss--), beyond the zap loop's own scan of it and its free_pages call (PAGE_PUT or PAGE_FREE)", mirrors: "zap_pte_range + free_pte (2.0)", exact: s("pte_present_zap") - s("pte_scan_zap") - s("page_put") },
    { name: "VMA_STEP", what: "one area of a per-area loop, with the call on an empty range (mean of the fork and exit loops)", mirrors: "dup_mmap, exit_mmap (2.0)", exact: mean(s("vma_step_dup"), s("vma_step_exit")) },
    { name: "VMA_FIND", what: "one node visited by find_vma's descent of the AVL tree", mirrors: "find_vma (2.0, mmap_avl.c)", exact: s("vma_find") },
    { name: "PAGE_ALLOC", what: "allocating one page taken straight from the order-0 free list, with the call", mirrors: "__get_free_pages, RMQUEUE (2.0)", exact: s("page_alloc") },
    { name: "PAGE_FREE", what: "a whole free_pages call freeing one page whose buddy is in use (no merge)", mirrors: "free_pages, free_pages_ok (2.0)", exact: s("page_free") },
    { name: "PAGE_PUT", what: "a free_pages call that drops one reference to a page still in use", mirrors: "free_pages (2.0)", exact: s("page_put") },
    { name: "PAGE_CLEAR", what: "clearing one 4 KiB page (rep stosl of 1024 dwords), with the call", mirrors: "clear_page (2.0 i386)", exact: s("page_clear") },
    { name: "PAGE_COPY", what: "copying one 4 KiB page (rep movsl of 1024 dwords), with the call", mirrors: "copy_page (2.0 i386)", exact: s("page_copy") },
    { name: "TLB_FLUSH_PAGE", what: "one INVLPG, with the call and the mm test", mirrors: "flush_tlb_page (2.0 i386, 486+)", exact: s("tlb_flush_page") },
    { name: "TLB_FLUSH_ALL", what: "one CR3 reload (mov %cr3,%eax; mov %eax,%cr3)", mirrors: "__flush_tlb (2.0 i386)", exact: s("tlb_flush_all") },
  ];
  return list.map((u) => ({ ...u, cycles: Math.round(u.exact) }));
}

/** The text of kernel/arch/kernel-cost.ts for these units. */
export function renderCostFile(list: Unit[]): string {
  const members = list.map((u) => `  /** ${u.what}; ${u.mirrors}; measured ${fmt(u.exact)}. */\n  ${u.name} = ${u.cycles},`);
  return [
    "// Generated by tools/calibrate.ts from the C in tools/calibrate/, run on vmalab's own CPU; do not edit.",
    "// Regenerate: npm run calibrate. CI checks it is current: npm run calibrate -- --check.",
    "/** Guest cycles per unit of kernel work, measured by `npm run calibrate` on this CPU (docs/timing.md, \"Kernel work\"). */",
    "export const enum KernelWork {",
    ...members,
    "}",
    "",
  ].join("\n");
}

const fmt = (x: number): string => String(Math.round(x * 1000) / 1000);

function printTable(list: Unit[], series: Map<string, Point[]>): void {
  const w = Math.max(...list.map((u) => u.name.length));
  console.log(`${"unit".padEnd(w)}  ${"exact".padStart(9)}  ${"cycles".padStart(6)}`);
  for (const u of list) console.log(`${u.name.padEnd(w)}  ${fmt(u.exact).padStart(9)}  ${String(u.cycles).padStart(6)}`);
  console.log("\nseries (cycles per unit of n):");
  for (const name of series.keys()) console.log(`  ${name.padEnd(18)} ${fmt(slope(series, name))}`);
}

function main(): void {
  const check = process.argv.includes("--check");
  const missing = missingToolchain();
  if (missing) {
    console.log(`calibrate: ${missing}`);
    process.exit(2);
  }
  let list: Unit[];
  let series: Map<string, Point[]>;
  try {
    series = runImage(buildImage());
    list = units(series);
  } catch (e) {
    console.error(`calibrate: ${(e as Error).message}`);
    process.exit(1);
  }
  const text = renderCostFile(list);
  if (check) {
    const have = existsSync(COST_FILE) ? readFileSync(COST_FILE, "utf8") : "";
    if (have !== text) {
      console.error("calibrate: kernel/arch/kernel-cost.ts is not what the calibration measures; run npm run calibrate");
      process.exit(1);
    }
    console.log("calibrate: kernel/arch/kernel-cost.ts is current");
    return;
  }
  printTable(list, series);
  writeFileSync(COST_FILE, text);
  console.log(`\nwrote ${COST_FILE.slice(ROOT.length + 1)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
