// Kernel-aware monitor commands on the booted vmalab system running a guest
// that writes a data page after fork (tests/monitor/guest/cow.c): pf break on
// the child's COW fault, walk before (PTE read-only, frame shared) and after
// `pf step` (writable, own frame), the trace line naming the vma and "COW copy",
// then "COW reuse" for the parent as the last sharer; frame, vmas, ps, check,
// pf stats; and `info tlb` marking the parent's entries STALE when the kernel
// skips its TLB flush after fork. Needs clang + musl-dev:i386 (skips without,
// fails with CI=true).

import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VmalabSystem } from "../../system/system.ts";
import { writeCpio } from "../../tools/cpio.ts";
import { Monitor } from "../../monitor/monitor.ts";
import type { FaultTraceEntry } from "../../monitor/fault-trace.ts";
import { traceToJson } from "../../monitor/monitor.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const MUSL = "/usr/lib/i386-linux-musl";
const RT = "/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.builtins-i386.a";

function build(): { path: string; counter: number } | string {
  if (!existsSync(`${MUSL}/libc.a`) || !existsSync(RT)) return "musl-dev:i386 or libclang-rt-14-dev is not installed";
  if (spawnSync("clang", ["--version"], { stdio: "ignore" }).status !== 0) return "clang is not installed";
  const out = join(mkdtempSync(join(tmpdir(), "vmalab-mon-")), "cow");
  execFileSync("clang", ["--target=i386-linux-musl", "-march=i486", "-static", "-nostdlib", "-fuse-ld=lld", "-O1",
    "-isystem", "/usr/include/i386-linux-musl", join(ROOT, "tests/monitor/guest/cow.c"),
    `${MUSL}/crt1.o`, `${MUSL}/crti.o`, `${MUSL}/libc.a`, RT, `${MUSL}/crtn.o`, "-o", out], { stdio: "pipe" });
  const nm = execFileSync("llvm-nm", [out], { encoding: "utf8" });
  const m = /^([0-9a-f]{8}) D counter$/m.exec(nm);
  if (!m) throw new Error("no counter symbol");
  return { path: out, counter: parseInt(m[1], 16) };
}

function boot(program: string) {
  let status = -1;
  const sys = new VmalabSystem({
    builtinInitrd: readFileSync(join(ROOT, "userland/build/initramfs.cpio")),
    initrds: [{ name: "test", data: writeCpio([{ name: "cow", mode: 0o100755, data: readFileSync(program) }]) }],
    deterministic: true,
    memorySize: 32 << 20,
    cmdline: "init=/cow quiet",
    onInitExit: (s) => (status = s),
  });
  const mon = new Monitor(sys);
  const async: string[] = [];
  mon.onAsyncOutput((t) => async.push(t));
  return { sys, mon, async, status: () => status };
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");
const built = build();
if (typeof built === "string" && process.env.CI === "true") throw new Error(built);

describe.skipIf(typeof built === "string")(`monitor on the vmalab kernel${typeof built === "string" ? ` (skipped: ${built})` : ""}`, () => {
  const prog = built as { path: string; counter: number };
  const page = prog.counter & ~0xfff;
  const range = `0x${page.toString(16)}-0x${(page + 0x1000).toString(16)}`;
  const vma = `${hex8(page)}-${hex8(page + 0x1000)} rw-p /cow`; // the private file mapping of the data segment, named by its path

  it("breaks on the child's COW fault, steps it, and shows COW copy then COW reuse", () => {
    const { mon, async, status } = boot(prog.path);
    const traced: FaultTraceEntry[] = [];
    mon.faults.addSink((e) => traced.push(e));
    expect(mon.execute(`pf break 2 ${range} cow-copy`)).toBe(`fault break: pid 2, ${range}, COW copy`);
    expect(mon.debugger.advance(200_000_000)).toBe("stopped");
    expect(async).toHaveLength(1);
    expect(async[0]).toMatch(new RegExp(`^pf break: pid 2 \\(cow\\) eip [0-9a-f]{8} cr2 ${hex8(page).slice(0, 5)}[0-9a-f]{3} ` +
      `\\[protection write user\\] vma ${vma}: the kernel will decide COW copy \\(pf step to let it\\)$`));
    const before = mon.execute(`walk 2 0x${prog.counter.toString(16)}`).split("\n");
    expect(before[0]).toMatch(/^pid 2 \(cow\) pgd [0-9a-f]{8} va /);
    expect(before[2]).toMatch(/^PTE\[\d+\] @ [0-9a-f]{8} = [0-9a-f]{8}  frame [0-9a-f]{8}  P RO U A D?/);
    expect(before[3]).toMatch(/count 2 mapcount 2 pins 0 flags ANON/);
    expect(before[4]).toBe(`vma ${vma} [file,anon_vma]`); // the private file mapping of the data segment
    const sharedFrame = parseInt(/frame ([0-9a-f]{8})/.exec(before[2])![1], 16) >>> 12;

    const line = mon.execute("pf step");
    expect(line).toMatch(new RegExp(`^pf pid 2 \\(cow\\) eip [0-9a-f]{8} cr2 [0-9a-f]{8} \\[protection write user\\] ` +
      `vma ${vma}: COW copy pfn 0x${sharedFrame.toString(16)} -> 0x[0-9a-f]+, \\d+ cycles$`));
    const e = traced.at(-1)!;
    expect(e.decision).toBe("cow-copy");
    expect(e.oldPfn).toBe(sharedFrame);
    expect(e.newPfn).not.toBe(sharedFrame);
    expect(e.cycles).toBeGreaterThan(3000); // a 4 KiB copy is charged 12 + 3 * 1024 cycles
    expect(JSON.parse(traceToJson(e))).toMatchObject({ pid: 2, comm: "cow", decision: "cow-copy", errorText: "protection write user", vma });
    const after = mon.execute(`walk 2 0x${prog.counter.toString(16)}`).split("\n");
    expect(after[2]).toMatch(new RegExp(`frame ${hex8(e.newPfn * 4096)}  P RW U A D$`));
    expect(after[3]).toMatch(/count 1 mapcount 1 pins 0 flags ANON/);
    expect(mon.execute(`frame 0x${sharedFrame.toString(16)}`).split("\n").slice(0, 3)).toEqual([
      expect.stringMatching(/count 1 mapcount 1 pins 0 flags ANON owner anonmm/),
      "mapped by 1 PTE (via anonmm):",
      expect.stringMatching(new RegExp(`^  pid 1 \\(cow\\) va ${hex8(page)} pte [0-9a-f]{8} P RO U A`)),
    ]);

    // the parent writes after the child exited: it holds the last reference
    expect(mon.execute(`pf break 1 ${range}`)).toBe(`fault break: pid 1, ${range}, any decision`);
    expect(mon.execute("cont")).toBe("");
    expect(mon.debugger.advance(200_000_000)).toBe("stopped");
    expect(async.at(-1)).toMatch(new RegExp(`^pf break: pid 1 \\(cow\\) eip [0-9a-f]{8} cr2 ${hex8(prog.counter)} ` +
      `\\[protection write user\\] vma ${vma}: the kernel will decide COW reuse`));
    expect(mon.execute("pf step")).toMatch(new RegExp(`: COW reuse pfn 0x${sharedFrame.toString(16)} -> 0x${sharedFrame.toString(16)}, \\d+ cycles$`));
    expect(mon.execute("ps")).toMatch(/^ {4}1 {5}0 {5}1 R .* cow \*$/m);
    expect(mon.execute("vmas 1")).toMatch(new RegExp(`^${vma.slice(0, 22)} [0-9a-f]{8}      1p file,anon_vma {12}/cow$`, "m"));
    expect(mon.execute("check")).toBe("frame accounting: OK");
    mon.execute("pf break off");
    mon.execute("cont");
    expect(mon.debugger.advance(200_000_000)).toBe("exit");
    expect(status()).toBe(0);
    const stats = mon.execute("pf stats");
    expect(stats).toMatch(/^COW copy +\d+$/m);
    expect(stats).toMatch(/^COW reuse +\d+$/m);
  });

  it("traces every fault live with pf trace on", () => {
    const { sys, mon, async, status } = boot(prog.path);
    expect(mon.execute("pf break 0x10-0x5")).toBe("pf break: empty address range");
    expect(mon.execute("pf break bogus")).toMatch(/^pf break: unknown decision 'bogus' \(demand-zero, zero-page, cow-copy, /);
    expect(mon.execute("pf step")).toBe("pf step: no page fault is held (pf break first)");
    expect(mon.execute("walk 99 0x0")).toBe("no process 99");
    expect(mon.execute("frame 0x100000")).toBe("pfn 0x100000: outside RAM (no struct page)\nmapped by 0 PTEs (via page-table scan):");
    expect(mon.complete("pf s")).toEqual(["pf step", "pf stats"]);
    expect(mon.complete("w")).toEqual(["walk", "watch"]);
    expect(mon.execute("pf trace on")).toBe("fault trace on");
    const before = Object.values(sys.kernel.mmctx.counters.faults).reduce((a, b) => a + b, 0);
    expect(mon.debugger.advance(200_000_000)).toBe("exit");
    expect(status()).toBe(0);
    const total = Object.values(sys.kernel.mmctx.counters.faults).reduce((a, b) => a + b, 0);
    const lines = async.filter((l) => l.startsWith("pf pid"));
    expect(lines).toHaveLength(total - before);
    expect(lines.some((l) => l.startsWith("pf pid 2 (cow)") && l.includes(`vma ${vma}: COW copy`))).toBe(true);
    expect(lines.some((l) => l.startsWith("pf pid 1 (cow)") && l.includes(`cr2 ${hex8(prog.counter)}`) && l.includes(": COW reuse"))).toBe(true);
  });

  it("predicts every user fault's decision before the kernel takes it (the dry run behind pf break DECISION)", () => {
    const { mon, status } = boot(prog.path);
    const predicted: string[] = [];
    const actual: string[] = [];
    mon.faults.addSink((e) => {
      if (e.eip !== null) actual.push(`${e.pid} ${hex8(e.address)} ${e.decision}`);
    });
    mon.debugger.exceptionFilter = (e) => {
      const p = mon.faults.predict(e);
      if (p) predicted.push(`${p.pid} ${hex8(e.cr2)} ${p.decision}`);
      return false;
    };
    mon.debugger.modeChanged();
    expect(mon.debugger.advance(200_000_000)).toBe("exit");
    expect(status()).toBe(0);
    expect(actual.length).toBeGreaterThan(5);
    expect(predicted).toEqual(actual);
  });

  it("marks the parent's TLB entries STALE when the kernel skips its flush after fork", () => {
    for (const skip of [false, true]) {
      const { sys, mon } = boot(prog.path);
      const ctx = sys.kernel.mmctx;
      const orig = ctx.flushTlbMm.bind(ctx);
      ctx.flushTlbMm = (mm) => {
        const inFork = (ctx.prof.entries.get("forkMm")?.calls ?? 0) > ctx.counters.forks;
        if (inFork) mon.debugger.stopSoon({ kind: "request" });
        if (!(inFork && skip)) orig(mm);
      };
      expect(mon.debugger.advance(200_000_000)).toBe("stopped");
      const tlb = mon.execute("info tlb");
      const stale = tlb.split("\n").filter((l) => l.includes("STALE"));
      if (!skip) expect(tlb).toMatch(/, 0 stale$/);
      else {
        expect(stale.length).toBeGreaterThan(0);
        expect(stale).toContainEqual(expect.stringMatching(/^bffff000 -> [0-9a-f]{8} user=rw sup=rw dirty {2}STALE \(page tables allow user=r- sup=r-\)$/));
      }
    }
  });
});
