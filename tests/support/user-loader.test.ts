// The test-only user loader: a tiny hand-assembled static ELF prints and exits; guest
// exceptions end the run with a message naming the vector, error code, EIP (and CR2);
// an endless loop ends at the cycle budget; two runs take the same number of cycles.
import { describe, it, expect } from "vitest";
import { runUserElf, parseElf } from "./user-loader.ts";

const BASE = 0x08048000;
const CODE = BASE + 0x54; // after the ELF header (52) and one program header (32) = 0x54

/** A minimal ET_EXEC i386 ELF whose single PT_LOAD (RWX) holds `code` at CODE. */
function elf(code: number[]): Uint8Array {
  const size = 0x54 + code.length;
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 3, true); // EM_386
  dv.setUint32(20, 1, true);
  dv.setUint32(24, CODE, true); // entry
  dv.setUint32(28, 52, true); // phoff
  dv.setUint16(40, 52, true); // ehsize
  dv.setUint16(42, 32, true); // phentsize
  dv.setUint16(44, 1, true); // phnum
  dv.setUint32(52, 1, true); // PT_LOAD
  dv.setUint32(56, 0, true); // offset
  dv.setUint32(60, BASE, true); // vaddr
  dv.setUint32(64, BASE, true);
  dv.setUint32(68, size, true); // filesz
  dv.setUint32(72, size, true); // memsz
  dv.setUint32(76, 7, true); // RWX
  dv.setUint32(80, 0x1000, true);
  b.set(code, 0x54);
  return b;
}

const le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const movEax = (v: number) => [0xb8, ...le(v)];
const movEbx = (v: number) => [0xbb, ...le(v)];
const movEcx = (v: number) => [0xb9, ...le(v)];
const movEdx = (v: number) => [0xba, ...le(v)];
const int80 = [0xcd, 0x80];

describe("user loader", () => {
  it("runs a static ELF that writes to stdout and exits with a status", () => {
    const msgAt = CODE + 34;
    const code = [...movEax(4), ...movEbx(1), ...movEcx(msgAt), ...movEdx(6), ...int80, ...movEax(1), ...movEbx(7), ...int80];
    expect(code.length).toBe(34);
    const r = runUserElf(elf([...code, ...Array.from("hello\n", (c) => c.charCodeAt(0))]));
    expect(r.failure).toBeNull();
    expect(r.stdout).toBe("hello\n");
    expect(r.exitCode).toBe(7);
    expect(r.instructions).toBe(8 + 3); // 8 user instructions + the ring-0 stub's out/iret, out
  });

  it("returns -ENOSYS for an unknown system call and keeps running", () => {
    // eax = 9999; int 0x80; mov ebx, eax; neg ebx; mov eax, 1; int 0x80  -> exit(38)
    const r = runUserElf(elf([...movEax(9999), ...int80, 0x89, 0xc3, 0xf7, 0xdb, ...movEax(1), ...int80]));
    expect(r.exitCode).toBe(38);
  });

  it("reports a guest exception with its vector, error code and EIP", () => {
    const hlt = runUserElf(elf([0x90, 0xf4]));
    expect(hlt.exitCode).toBeNull();
    expect(hlt.failure).toBe(`vector 13 (#GP) error 0x0 at eip 0x${(CODE + 1).toString(16)}`);
    const ud = runUserElf(elf([0x0f, 0x0b]));
    expect(ud.failure).toBe(`vector 6 (#UD) at eip 0x${CODE.toString(16)}`);
    // mov dword [0x30000000], eax: user write to a page that is not mapped -> error P=0 W=1 U=1
    const pf = runUserElf(elf([0xa3, ...le(0x30000000)]));
    expect(pf.failure).toBe(`vector 14 (#PF) error 0x6 cr2 0x30000000 at eip 0x${CODE.toString(16)}`);
    // the kernel area is mapped supervisor-only: a user read gets P=1 U=1
    const kr = runUserElf(elf([0xa1, ...le(0x2000)]));
    expect(kr.failure).toBe(`vector 14 (#PF) error 0x5 cr2 0x2000 at eip 0x${CODE.toString(16)}`);
  });

  it("stops an endless loop at the cycle budget", () => {
    const r = runUserElf(elf([0xeb, 0xfe]), { maxCycles: 100_000 });
    expect(r.exitCode).toBeNull();
    expect(r.failure).toMatch(/^cycle budget of 100000 exhausted at eip 0x/);
    expect(r.cycles).toBeGreaterThanOrEqual(100_000);
  });

  it("is deterministic: the same program takes the same cycles twice", () => {
    const prog = elf([...movEcx(5000), 0x40, 0xe2, 0xfd, ...movEax(1), ...int80]);
    const a = runUserElf(prog);
    const b = runUserElf(prog);
    expect(a.exitCode).toBe(b.exitCode);
    expect(a.cycles).toBe(b.cycles);
    expect(a.instructions).toBe(5000 * 2 + 3 + 1); // + the stub's out
  });

  it("rejects files that are not static i386 executables", () => {
    expect(() => parseElf(new Uint8Array(10))).toThrow("not an ELF file");
    const e = elf([0x90]);
    e[18] = 62; // EM_X86_64
    expect(() => parseElf(e)).toThrow("not an ELF32 i386 file");
  });
});
