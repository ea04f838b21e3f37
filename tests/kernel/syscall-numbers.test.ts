// The system call numbers (kernel/syscalls/numbers.ts, generated from Linux's
// asm/unistd_32.h by tools/gen-syscall-numbers.ts) against known i386 facts,
// and the kernel's table against them: every registered handler is a named
// Linux call, and the registrations name calls rather than number them.

import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { newKernelSyscalls } from "../../kernel/boot.ts";
import { NR, SYSCALL_NAMES, syscallName } from "../../kernel/syscalls/numbers.ts";
import { define, newSyscallTable, NR_SYSCALLS } from "../../kernel/syscalls/table.ts";

const KERNEL = new URL("../../kernel/", import.meta.url).pathname;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("Linux i386 system call numbers", () => {
  it("match the numbers i386 programs are built with", () => {
    expect(NR.restart_syscall).toBe(0);
    expect(NR.exit).toBe(1);
    expect(NR.fork).toBe(2);
    expect(NR.execve).toBe(11);
    expect(NR.getpid).toBe(20);
    expect(NR.sched_yield).toBe(158);
    expect(NR.mmap2).toBe(192);
    expect(NR.set_thread_area).toBe(243);
    expect(NR.exit_group).toBe(252);
    expect(NR.clock_gettime64).toBe(403);
    expect(NR.clone3).toBe(435);
  });

  it("names each number NR defines, and nothing else", () => {
    const entries = Object.entries(NR);
    expect(entries.length).toBeGreaterThan(400);
    for (const [name, nr] of entries) expect(SYSCALL_NAMES[nr]).toBe(name);
    expect(SYSCALL_NAMES.filter((n) => n !== undefined).length).toBe(entries.length);
    expect(Object.isFrozen(NR)).toBe(true);
    expect(syscallName(158)).toBe("sched_yield");
    expect(syscallName(222)).toBe("syscall_222"); // unused on i386
    expect(syscallName(100000)).toBe("syscall_100000");
    expect(syscallName(-1)).toBe("syscall_-1");
  });
});

describe("the kernel's system call table", () => {
  it("registers only named Linux calls", () => {
    const table = newKernelSyscalls();
    expect(table.length).toBe(NR_SYSCALLS);
    expect(NR_SYSCALLS).toBe(SYSCALL_NAMES.length);
    const unnamed = table.flatMap((h, nr) => (h !== undefined && SYSCALL_NAMES[nr] === undefined ? [nr] : []));
    expect(unnamed).toEqual([]);
    // A sample of what is there, by name.
    for (const name of ["read", "write", "fork", "execve", "mmap2", "sched_yield", "uname", "prlimit64", "getrandom", "clock_gettime64"] as const) {
      expect(table[NR[name]], name).toBeTypeOf("function");
    }
  });

  it("define refuses a number Linux does not define and a call defined twice", () => {
    const table = newSyscallTable();
    expect(() => define(table, { 222: () => 0 })).toThrow(/not a Linux i386 system call/);
    define(table, { [NR.sched_yield]: () => 0 });
    expect(() => define(table, { [NR.sched_yield]: () => 0 })).toThrow(/sched_yield \(158\) defined twice/);
  });

  it("registration blocks name their calls (no bare numbers)", () => {
    const bare: string[] = [];
    for (const file of tsFiles(KERNEL)) {
      const src = readFileSync(file, "utf8");
      for (let at = src.indexOf("define(table, {"); at >= 0; at = src.indexOf("define(table, {", at + 1)) {
        const line = src.slice(at, src.indexOf("\n", at));
        const block = line.endsWith("});") ? line : src.slice(at, src.indexOf("\n  });", at));
        for (const m of block.matchAll(/^\s*(\d+)\s*:|[{,]\s*(\d+)\s*:/gm)) bare.push(`${file.slice(KERNEL.length)}: ${m[1] ?? m[2]}`);
      }
    }
    expect(bare).toEqual([]);
  });
});
