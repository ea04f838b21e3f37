import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { parseElf, ELF_ET_DYN_BASE, PROT_READ, PROT_WRITE, PROT_EXEC } from "../../../kernel/exec/elf.ts";
import type { ElfImage } from "../../../kernel/exec/elf.ts";
import { buildStatic, skipOrFail } from "./toolchain.ts";
import { execI386, needI386 } from "../../support/i386-reference.ts";

interface Ph {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

/** A minimal ELF32 image: header, program headers at 52, file padded to size. */
function elf(phs: Ph[], opts: { type?: number; machine?: number; entry?: number; size?: number; phentsize?: number; phnum?: number; cls?: number; data?: number } = {}): Uint8Array {
  const size = opts.size ?? 0x3000;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, opts.cls ?? 1, opts.data ?? 1, 1]);
  v.setUint16(16, opts.type ?? 2, true);
  v.setUint16(18, opts.machine ?? 3, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, opts.entry ?? 0x08048080, true);
  v.setUint32(28, 52, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, opts.phentsize ?? 32, true);
  v.setUint16(44, opts.phnum ?? phs.length, true);
  phs.forEach((p, i) => {
    const o = 52 + 32 * i;
    v.setUint32(o, p.type, true);
    v.setUint32(o + 4, p.offset, true);
    v.setUint32(o + 8, p.vaddr, true);
    v.setUint32(o + 12, p.vaddr, true);
    v.setUint32(o + 16, p.filesz, true);
    v.setUint32(o + 20, p.memsz, true);
    v.setUint32(o + 24, p.flags, true);
    v.setUint32(o + 28, 0x1000, true);
  });
  return b;
}
const text: Ph = { type: 1, offset: 0, vaddr: 0x08048000, filesz: 0x1000, memsz: 0x1000, flags: 5 };
const data: Ph = { type: 1, offset: 0x1000, vaddr: 0x08049000, filesz: 0x800, memsz: 0x2345, flags: 6 };

function reason(img: Uint8Array): string {
  const r = parseElf(img);
  return r.ok ? "ok" : `${r.errno} ${r.reason}`;
}

describe("ELF validation", () => {
  it("accepts a two-segment static executable and describes it", () => {
    const r = parseElf(elf([text, data, { type: 0x6474e551, offset: 0, vaddr: 0, filesz: 0, memsz: 0, flags: 6 }])) as ElfImage;
    expect(r.ok).toBe(true);
    expect(r.entry).toBe(0x08048080);
    expect(r.segments).toEqual([
      { vaddr: 0x08048000, memsz: 0x1000, filesz: 0x1000, offset: 0, prot: PROT_READ | PROT_EXEC },
      { vaddr: 0x08049000, memsz: 0x2345, filesz: 0x800, offset: 0x1000, prot: PROT_READ | PROT_WRITE },
    ]);
    expect(r.phdrAddr).toBe(0x08048034);
    expect(r.phnum).toBe(3);
    expect(r.brkStart).toBe(0x0804c000);
    expect([r.startCode, r.endCode, r.startData, r.endData]).toEqual([0x08048000, 0x08049000, 0x08049000, 0x08049800]);
    expect(r.execStack).toBe(false);
    expect(r.interp).toBe(null);
  });

  it("rejects bad headers with -ENOEXEC and a reason", () => {
    expect(reason(new Uint8Array(10))).toBe("-8 file too short for an ELF header (10 bytes)");
    const notElf = elf([text]);
    notElf[1] = 0x45 + 1;
    expect(reason(notElf)).toBe("-8 bad ELF magic");
    expect(reason(elf([text], { cls: 2 }))).toBe("-8 not ELFCLASS32 (EI_CLASS 2)");
    expect(reason(elf([text], { data: 2 }))).toBe("-8 not little-endian (EI_DATA 2)");
    expect(reason(elf([text], { machine: 62 }))).toBe("-8 e_machine 62 is not EM_386");
    expect(reason(elf([text], { type: 1 }))).toBe("-8 e_type 1 is not ET_EXEC or ET_DYN");
    expect(reason(elf([text], { phentsize: 56 }))).toBe("-8 e_phentsize 56 is not 32");
    expect(reason(elf([], { phnum: 0 }))).toBe("-8 e_phnum 0 out of range (1..128)");
    expect(reason(elf([text], { phnum: 129 }))).toBe("-8 e_phnum 129 out of range (1..128)");
    expect(reason(elf([text], { phnum: 100, size: 0x400 }))).toBe("-8 program headers (offset 52) beyond the end of the file");
    expect(reason(elf([{ ...text, type: 4 }]))).toBe("-8 no PT_LOAD segment");
  });

  it("rejects absurd segments", () => {
    expect(reason(elf([{ ...text, filesz: 0x2000, memsz: 0x1000 }]))).toBe("-8 PT_LOAD #0 (vaddr 0x8048000): p_filesz > p_memsz");
    expect(reason(elf([{ ...text, filesz: 0x4000, memsz: 0x4000 }]))).toBe("-8 PT_LOAD #0 (vaddr 0x8048000): file data beyond the end of the file");
    expect(reason(elf([{ ...text, offset: 0x10 }]))).toBe("-8 PT_LOAD #0 (vaddr 0x8048000): p_offset and p_vaddr not congruent modulo the page size");
    expect(reason(elf([{ ...text, vaddr: 0xc0000000 }]))).toBe("-8 PT_LOAD #0 (vaddr 0xc0000000): outside user space");
    expect(reason(elf([{ ...text, vaddr: 0xbffff000, memsz: 0x2000 }]))).toBe("-8 PT_LOAD #0 (vaddr 0xbffff000): outside user space");
    expect(reason(elf([{ ...text, vaddr: 0x1000, memsz: 0xfffff000 }]))).toBe("-8 PT_LOAD #0 (vaddr 0x1000): outside user space");
    expect(reason(elf([text, { ...data, vaddr: 0x08048800, offset: 0x800 }]))).toBe("-8 PT_LOAD #1 (vaddr 0x8048800): overlaps or precedes the previous PT_LOAD");
    expect(reason(elf([data, text]))).toBe("-8 PT_LOAD #1 (vaddr 0x8048000): overlaps or precedes the previous PT_LOAD");
    for (let n = 0; n < 200; n++) expect(() => parseElf(elf([text, data]).subarray(0, n))).not.toThrow();
  });

  it("reports PT_INTERP for the caller to refuse, and places ET_DYN at the load bias", () => {
    const img = elf([{ type: 3, offset: 0x200, vaddr: 0, filesz: 14, memsz: 14, flags: 4 }, text]);
    img.set(Array.from("/lib/ld.so.1\0\0", (c) => c.charCodeAt(0)).slice(0, 13), 0x200);
    const r = parseElf(img) as ElfImage;
    expect(r.interp).toBe("/lib/ld.so.1");
    const img2 = elf([{ type: 3, offset: 0x200, vaddr: 0, filesz: 13, memsz: 13, flags: 4 }, text]);
    img2.set(Array.from("/lib/ld.so.1\0", (c) => c.charCodeAt(0)), 0x200);
    expect((parseElf(img2) as ElfImage).interp).toBe("/lib/ld.so.1");
    const pie = parseElf(elf([{ ...text, vaddr: 0 }, { ...data, vaddr: 0x1000 }], { type: 3, entry: 0x80 })) as ElfImage;
    expect(pie.loadBias).toBe(ELF_ET_DYN_BASE);
    expect(pie.entry).toBe(0x400080);
    expect(pie.segments.map((s) => s.vaddr)).toEqual([0x400000, 0x401000]);
    expect(pie.phdrAddr).toBe(0x400034);
    expect(pie.brkStart).toBe(0x404000);
  });

  it("agrees with Linux on a real static binary (AT_PHDR, AT_PHNUM, AT_ENTRY)", () => {
    const built = buildStatic(new URL("./dumpstack.c", import.meta.url).pathname, "dumpstack");
    if ("skip" in built) return skipOrFail(built.skip);
    const r = parseElf(new Uint8Array(readFileSync(built.path))) as ElfImage;
    expect(r.ok).toBe(true);
    if (needI386()) return;
    const out = execI386(built.path, [], { env: {} }).toString().split(/\s+/);
    const esp = parseInt(out[0], 16);
    const b = Buffer.from(out[2], "hex");
    const words = (i: number) => b.readUInt32LE(i * 4);
    let i = 1 + words(0) + 1;
    while (words(i) !== 0) i++;
    i++;
    const aux = new Map<number, number>();
    for (; words(i) !== 0; i += 2) aux.set(words(i), words(i + 1));
    expect(esp % 16).toBe(0);
    expect(r.phdrAddr).toBe(aux.get(3));
    expect(r.phent).toBe(aux.get(4));
    expect(r.phnum).toBe(aux.get(5));
    expect(r.entry).toBe(aux.get(9));
  });
});
