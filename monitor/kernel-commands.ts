// The monitor's kernel-aware commands: ps, vmas, walk, frame, meminfo,
// check, prof. They read the TypeScript kernel's structures and guest memory
// (without charging guest cycles, except `check`, which runs the kernel's own
// self-check).

import type { Kernel } from "../kernel/kernel.ts";
import { checkFrames } from "../kernel/mm/check.ts";
import { procMeminfo } from "../kernel/procfs/system.ts";
import { isSwapPte } from "../kernel/mm/swap.ts";
import { pageData, walkData, type PageData, type WalkData } from "./memory-data.ts";
import { VM_PFNMAP } from "../kernel/mm/vma.ts";
import type { PhysicalMemory } from "../emulator/memory/physmem.ts";
import { decodePteBits } from "../emulator/cpu/pagewalk.ts";
import { CommandError, hex, hex8, parseCount, parseValue } from "./format.ts";
import { findTask, frameMappers, tasksOfMm, vmaFlagWords, vmaShort } from "./kernel-view.ts";
import { vmaName, vmaPermString } from "../kernel/mm/maps.ts";

const STATE = ["R", "S", "T", "Z", "X"];

/** ps: one line per task. */
export function ps(k: Kernel): string {
  const lines = ["  PID  PPID  TGID S   RSS(kB) VSZ(kB) COMM"];
  const tasks = [...k.tasks.values()].sort((a, b) => a.pid - b.pid);
  for (const t of tasks) {
    const rss = t.mm ? t.mm.rss * 4 : 0;
    const vsz = t.mm ? t.mm.totalVm * 4 : 0;
    const cur = t === k.current ? " *" : "";
    lines.push(`${String(t.pid).padStart(5)} ${String(t.parent?.tgid ?? 0).padStart(5)} ${String(t.tgid).padStart(5)} ` +
      `${STATE[t.state] ?? "?"} ${String(rss).padStart(9)} ${String(vsz).padStart(7)} ${t.comm}${cur}`);
  }
  return lines.join("\n");
}

function taskArg(k: Kernel, arg: string | undefined, cmd: string) {
  if (arg === undefined) throw new CommandError(`usage: ${cmd}`);
  const t = findTask(k, parseCount(arg, cmd.split(" ")[0]));
  if (!t) throw new CommandError(`no process ${arg}`);
  if (!t.mm) throw new CommandError(`process ${arg} (${t.comm}) has no address space`);
  return t;
}

/** vmas PID: /proc/PID/maps-style lines plus flag words. */
export function vmas(k: Kernel, args: string[]): string {
  const t = taskArg(k, args[0], "vmas PID");
  const mm = t.mm!;
  const lines = mm.vmas.map((v) => {
    const off = v.vmFile || v.vmFlags & VM_PFNMAP ? v.vmPgoff * 4096 : 0; // PFNMAP: the first frame's address
    const name = vmaName(mm, v);
    return `${hex8(v.vmStart)}-${hex8(v.vmEnd)} ${vmaPermString(v)} ${hex8(off)} ${String(v.pages).padStart(6)}p ` +
      `${vmaFlagWords(v).join(",").padEnd(24)} ${name}`.trimEnd();
  });
  lines.push(`${mm.vmas.length} areas, rss ${mm.rss} pages (anon ${mm.anonRss}, file ${mm.fileRss}), ${mm.nrPtes} page tables, pgd ${hex8(mm.pgd)}`);
  return lines.join("\n");
}

/** One line about a frame's struct page (the data from pageData). */
export function formatPage(p: PageData): string {
  if (!p.inRam) return `pfn ${hex(p.pfn)}: outside RAM (no struct page)`;
  return `pfn ${hex(p.pfn)} (${hex8(p.pfn * 4096)}): count ${p.count} mapcount ${p.mapcount} pins ${p.pins} ` +
    `flags ${p.flagNames.join("|") || "-"}${p.owner ? ` owner ${p.owner} index ${hex(p.index)}` : ""}` +
    `${p.free ? " (free)" : ""}${p.zeroPage ? " (the shared zero page)" : ""}`;
}

/** One line about frame pfn's struct page. */
export function pageLine(k: Kernel, pfn: number): string {
  return formatPage(pageData(k, pfn));
}

/** The text of `walk` for one walk (the data from walkData). */
export function formatWalk(w: WalkData): string {
  const lines = [`pid ${w.pid} (${w.comm}) pgd ${hex8(w.pgd)} va ${hex8(w.va)}`];
  const pde = w.pde;
  lines.push(`PDE[${w.pdi}] @ ${hex8(w.pdeAddr)} = ${hex8(pde)}  ${pde & 1 ? `table ${hex8(pde & ~0xfff)}  ` : ""}${decodePteBits(pde, true)}`);
  if (w.pte !== null) {
    const pte = w.pte;
    lines.push(`PTE[${w.pti}] @ ${hex8(w.pteAddr!)} = ${hex8(pte)}  ${pte & 1 ? `frame ${hex8(pte & ~0xfff)}  ` : ""}${pte === 0 ? "none" : isSwapPte(pte) ? "not present (swap entry)" : decodePteBits(pte, false)}`);
    if (w.page) lines.push(formatPage(w.page));
    else if (w.swap) {
      const sw = w.swap;
      lines.push(`swap entry: slot ${sw.slot}, used by ${sw.users} PTE${sw.users === 1 ? "" : "s"}` +
        (sw.cachedPfn >= 0 ? `, in the swap cache as frame ${hex(sw.cachedPfn)}` : ""));
    }
  } else if (pde & 0x80) {
    lines.push(`4 MiB page, frame ${hex8(w.pfn * 4096)}`);
  }
  if (w.vma) lines.push(`vma ${w.vma.text} [${w.vma.flags.join(",")}]`);
  else lines.push(`vma none${w.nextVma ? ` (next ${w.nextVma})` : ""}`);
  return lines.join("\n");
}

/** walk PID VADDR: the PDE and PTE with every bit decoded, the frame and the area. */
export function walk(k: Kernel, mem: PhysicalMemory, args: string[]): string {
  const t = taskArg(k, args[0], "walk PID VADDR");
  if (args[1] === undefined) throw new CommandError("usage: walk PID VADDR");
  return formatWalk(walkData(k, mem, t, parseValue(args[1])));
}

/** frame PFN: struct page fields and every (pid, vaddr) mapping it. */
export function frame(k: Kernel, mem: PhysicalMemory, args: string[]): string {
  if (args[0] === undefined) throw new CommandError("usage: frame PFN");
  const pfn = parseValue(args[0]);
  const lines = [pageLine(k, pfn)];
  const { via, mappers } = frameMappers(k, mem, pfn);
  lines.push(`mapped by ${mappers.length} PTE${mappers.length === 1 ? "" : "s"} (via ${via}):`);
  for (const m of mappers) {
    const pids = tasksOfMm(k, m.mm).map((t) => `${t.pid} (${t.comm})`);
    const pte = mem.read32(((mem.read32(m.mm.pgd + (m.va >>> 22) * 4) & ~0xfff) >>> 0) + ((m.va >>> 12) & 0x3ff) * 4) >>> 0;
    lines.push(`  pid ${pids.join(", ") || "(no task)"} va ${hex8(m.va)} pte ${hex8(pte)} ${decodePteBits(pte, false)}` +
      `${m.vma ? `  vma ${vmaShort(m.mm, m.vma)}` : ""}`);
  }
  return lines.join("\n");
}

/** meminfo: /proc/meminfo plus the frame allocator's numbers. */
export function meminfo(k: Kernel): string {
  const fr = k.mmctx.frames;
  const sw = k.mmctx.swap;
  return procMeminfo(k).trimEnd() + `\nframes: ${fr.nframes} total, ${fr.totalram} managed, ${fr.freeCount} free, first ${hex(fr.firstPfn)}` +
    `\nswap: ${sw.nslots} slots, ${sw.usedCount} used, ${sw.cachedSlot.size} in the swap cache`;
}

/** check: the frame accounting self-check. */
export function check(k: Kernel): string {
  const v = checkFrames(k.mmctx);
  return v.length === 0 ? "frame accounting: OK" : `${v.length} violation${v.length === 1 ? "" : "s"}:\n` + v.join("\n");
}

/** prof [reset]: guest cycles per kernel function (inclusive), highest first. */
export function prof(k: Kernel, args: string[]): string {
  const p = k.mmctx.prof;
  if (args[0] === "reset") {
    p.reset();
    return "profile reset";
  }
  const rows = p.report();
  const lines = [`${"function".padEnd(24)} ${"calls".padStart(9)} ${"cycles".padStart(13)} ${"avg".padStart(9)}`];
  for (const e of rows) {
    lines.push(`${e.name.padEnd(24)} ${String(e.calls).padStart(9)} ${String(e.cycles).padStart(13)} ${String(e.calls ? Math.round(e.cycles / e.calls) : 0).padStart(9)}`);
  }
  if (rows.length === 0) lines.push("(no samples)");
  return lines.join("\n");
}

