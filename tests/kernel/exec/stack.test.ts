import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { buildInitialStack, linuxAuxv, argLimit, AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_PHDR, AT_ENTRY, AT_NULL } from "../../../kernel/exec/initstack.ts";
import type { InitialStack } from "../../../kernel/exec/initstack.ts";
import { parseScript, scriptArgv } from "../../../kernel/exec/script.ts";
import { Errno } from "../../../kernel/errno.ts";
import { buildStatic, skipOrFail } from "./toolchain.ts";
import { needI386 } from "../../support/i386-reference.ts";

const ids = { uid: 0, euid: 0, gid: 0, egid: 0 };
const rnd = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

describe("initial stack", () => {
  it("lays out argc, argv, envp, auxv and strings as Linux does", () => {
    const auxv = linuxAuxv({ phdr: 0x8048034, phent: 32, phnum: 5, entry: 0x8048100, ids });
    const s = buildInitialStack({ stackTop: 0xc0000000, argv: ["prog", "a"], envp: ["X=1"], execfn: "/bin/prog", auxv, random: rnd, platform: "i686" }) as InitialStack;
    const top = 0xc0000000;
    const at = (addr: number) => s.bytes[addr - s.esp];
    const word = (addr: number) => new DataView(s.bytes.buffer).getUint32(addr - s.esp, true);
    const cstr = (addr: number) => {
      let r = "";
      for (let a = addr; at(a) !== 0; a++) r += String.fromCharCode(at(a));
      return r;
    };
    expect(s.esp % 16).toBe(0);
    expect(s.bytes.length).toBe(top - s.esp);
    expect(word(top - 4)).toBe(0);
    // strings: execfn highest, then envp, then argv (argv[0] lowest)
    expect(s.execfnAddr).toBe(top - 4 - 10);
    expect(cstr(s.execfnAddr)).toBe("/bin/prog");
    expect(word(s.esp)).toBe(2);
    expect(cstr(word(s.esp + 4))).toBe("prog");
    expect(cstr(word(s.esp + 8))).toBe("a");
    expect(word(s.esp + 8)).toBe(word(s.esp + 4) + 5);
    expect(word(s.esp + 12)).toBe(0);
    expect(cstr(word(s.esp + 16))).toBe("X=1");
    expect(word(s.esp + 16)).toBe(s.execfnAddr - 4);
    expect(word(s.esp + 20)).toBe(0);
    const auxAt = s.esp + 24;
    const got: [number, number][] = [];
    for (let a = auxAt; ; a += 8) {
      got.push([word(a), word(a + 4)]);
      if (word(a) === AT_NULL) break;
    }
    expect(got.map((e) => e[0])).toEqual([16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 31, 15, 0]);
    const m = new Map(got);
    expect(m.get(AT_PHDR)).toBe(0x8048034);
    expect(m.get(AT_ENTRY)).toBe(0x8048100);
    expect(m.get(AT_EXECFN)).toBe(s.execfnAddr);
    const argv0 = word(s.esp + 4);
    const platform = m.get(AT_PLATFORM)!;
    expect(platform).toBe(((argv0 & ~15) >>> 0) - 5);
    expect(cstr(platform)).toBe("i686");
    expect(m.get(AT_RANDOM)).toBe(platform - 16);
    expect([...s.bytes.subarray(platform - 16 - s.esp, platform - s.esp)]).toEqual([...rnd]);
    expect(s.esp).toBe(((platform - 16 - 18 * 8 - 6 * 4) & ~15) >>> 0);
    expect([s.argStart, s.argEnd, s.envStart, s.envEnd]).toEqual([argv0, argv0 + 7, s.execfnAddr - 4, s.execfnAddr]);
  });

  it("gives E2BIG past Linux's argument limits", () => {
    expect(argLimit(8 << 20)).toBe(2 << 20);
    expect(argLimit(64 << 10)).toBe(131072);
    const base = { stackTop: 0xc0000000, execfn: "/x", auxv: [], random: rnd, platform: null };
    expect(buildInitialStack({ ...base, argv: ["a".repeat(131072)], envp: [] })).toBe(-Errno.E2BIG);
    expect(typeof buildInitialStack({ ...base, argv: ["a".repeat(131071)], envp: [] })).toBe("object");
    const many = Array.from({ length: 40 }, () => "e".repeat(100000));
    expect(buildInitialStack({ ...base, argv: ["x"], envp: many, rlimitStack: 8 << 20 })).toBe(-Errno.E2BIG);
    expect(typeof buildInitialStack({ ...base, argv: ["x"], envp: many.slice(0, 20), rlimitStack: 8 << 20 })).toBe("object");
    expect(buildInitialStack({ ...base, argv: ["x"], envp: many.slice(0, 20), rlimitStack: 1 << 20 })).toBe(-Errno.E2BIG);
  });

  it("matches the bytes Linux builds for a real i386 process", () => {
    const built = buildStatic(new URL("./dumpstack.c", import.meta.url).pathname, "dumpstack");
    if ("skip" in built) return skipOrFail(built.skip);
    // Linux's own layout is the point: qemu-user builds the initial stack its own way.
    if (needI386({ native: true })) return;
    let out: string;
    try {
      out = execFileSync("setarch", ["-R", built.path, "first", "second arg", ""], { env: { HOME: "/root", TERM: "vt100" } }).toString();
    } catch (e) {
      return skipOrFail(`cannot run with randomisation off (setarch -R): ${String(e).slice(0, 100)}`);
    }
    const [espHex, topHex, hex] = out.split(/\s+/);
    const esp = parseInt(espHex, 16);
    const pageTop = parseInt(topHex, 16);
    const b = new Uint8Array(Buffer.from(hex, "hex"));
    const dv = new DataView(b.buffer);
    const word = (addr: number) => dv.getUint32(addr - esp, true);
    const cstr = (addr: number) => {
      let r = "";
      for (let a = addr; b[a - esp] !== 0; a++) r += String.fromCharCode(b[a - esp]);
      return r;
    };
    const argc = word(esp);
    const argv = Array.from({ length: argc }, (_, i) => cstr(word(esp + 4 + 4 * i)));
    let a = esp + 4 + 4 * argc + 4;
    const envp: string[] = [];
    for (; word(a) !== 0; a += 4) envp.push(cstr(word(a)));
    a += 4;
    const auxv: [number, number][] = [];
    for (; word(a) !== AT_NULL; a += 8) auxv.push([word(a), word(a + 4)]);
    const m = new Map(auxv);
    const execfn = cstr(m.get(AT_EXECFN)!);
    // A 64-bit Linux leaves an 8-byte word at the top of a 32-bit task's stack; an i386 kernel leaves 4.
    const stackTop = pageTop - 4;
    const mine = buildInitialStack({
      stackTop, argv, envp, execfn, auxv,
      random: b.slice(m.get(AT_RANDOM)! - esp, m.get(AT_RANDOM)! - esp + 16),
      platform: cstr(m.get(AT_PLATFORM)!),
    }) as InitialStack;
    expect(argv).toEqual([execfn, "first", "second arg", ""]);
    expect(mine.esp.toString(16)).toBe(esp.toString(16));
    expect(Buffer.from(mine.bytes).toString("hex")).toBe(Buffer.from(b.subarray(0, stackTop - esp)).toString("hex"));
  });
});

describe("#! scripts", () => {
  const p = (s: string) => parseScript(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  it("parses the interpreter and one optional argument", () => {
    expect(p("#!/bin/sh\necho hi\n")).toEqual({ interp: "/bin/sh", arg: null });
    expect(p("#! /bin/sh -x  \n")).toEqual({ interp: "/bin/sh", arg: "-x" });
    expect(p("#!/usr/bin/env python3 -u -O\n")).toEqual({ interp: "/usr/bin/env", arg: "python3 -u -O" });
    expect(p("#!\t/bin/sh\t-e\t\n")).toEqual({ interp: "/bin/sh", arg: "-e" });
    expect(p("#!/bin/sh")).toEqual({ interp: "/bin/sh", arg: null });
    expect(p("\x7fELF")).toBe(null);
    expect(p("#")).toBe(null);
  });
  it("gives ENOEXEC for a missing or truncated interpreter; a long argument is cut at 127 bytes", () => {
    expect(p("#!\n")).toBe(-Errno.ENOEXEC);
    expect(p("#!   \n")).toBe(-Errno.ENOEXEC);
    expect(p("#!/" + "x".repeat(200) + "\n")).toBe(-Errno.ENOEXEC);
    expect(p("#!" + " ".repeat(200))).toBe(-Errno.ENOEXEC);
    const long = p("#!/bin/sh " + "a".repeat(200) + "\n");
    expect(long).toEqual({ interp: "/bin/sh", arg: "a".repeat(127 - 10) });
    expect(scriptArgv({ interp: "/bin/sh", arg: "-x" }, "./s.sh", ["s.sh", "1", "2"])).toEqual(["/bin/sh", "-x", "./s.sh", "1", "2"]);
  });
});
