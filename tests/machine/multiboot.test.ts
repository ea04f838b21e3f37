import { describe, it, expect, beforeEach } from "vitest";
import { PhysicalMemory } from "../../emulator/memory/physmem.ts";
import { loadMultiboot, findMultibootHeader, INFO_BASE } from "../../emulator/machine/multiboot.ts";
import { ImageError } from "../../emulator/machine/image-error.ts";
import { mbHeader, buildElf, concat } from "./images.ts";

const MiB = 1024 * 1024;
const code = (n: number, fill: number) => new Uint8Array(n).fill(fill);

function cstring(mem: PhysicalMemory, addr: number): string {
  let s = "";
  for (let c = mem.read8(addr); c !== 0; c = mem.read8(++addr)) s += String.fromCharCode(c);
  return s;
}

describe("multiboot loader", () => {
  let mem: PhysicalMemory;
  beforeEach(() => {
    mem = new PhysicalMemory(4 * MiB);
    mem.ram.fill(0xaa);
  });

  it("loads an ELF kernel, zeroes its bss and builds the information structure", () => {
    const seg = concat(mbHeader(0x3), code(100, 0x90));
    const elf = buildElf(0x10000c, [{ vaddr: 0x100000, paddr: 0x100000, data: seg, memsz: 0x3000 }]);
    const initrd = new TextEncoder().encode("070701 initramfs bytes");
    const boot = loadMultiboot(mem, elf, { cmdline: "mm=vma quiet", modules: [{ name: "initrd.cpio", data: initrd }] });
    expect(boot.entry).toBe(0x10000c);
    expect(boot.infoAddr).toBe(INFO_BASE);
    expect(Array.from(mem.readBytes(0x100000, seg.length))).toEqual(Array.from(seg));
    expect(mem.readBytes(0x100000 + seg.length, 0x3000 - seg.length).every((b) => b === 0)).toBe(true);
    expect(boot.kernelEnd).toBe(0x103000);

    const info = INFO_BASE;
    expect(mem.read32(info) >>> 0).toBe(0x24d); // mem, cmdline, mods, mmap, loader name
    expect(mem.read32(info + 4)).toBe(639);
    expect(mem.read32(info + 8)).toBe(3 * 1024);
    expect(cstring(mem, mem.read32(info + 16))).toBe("mm=vma quiet");
    expect(cstring(mem, mem.read32(info + 64))).toBe("vmalab");

    // one module, page aligned after the kernel's bss
    expect(mem.read32(info + 20)).toBe(1);
    const mods = mem.read32(info + 24);
    expect(mem.read32(mods)).toBe(0x103000);
    expect(mem.read32(mods + 4)).toBe(0x103000 + initrd.length);
    expect(cstring(mem, mem.read32(mods + 8))).toBe("initrd.cpio");
    expect(Array.from(mem.readBytes(0x103000, initrd.length))).toEqual(Array.from(initrd));

    // memory map: conventional, EBDA reserved, BIOS reserved, RAM above 1 MiB
    const len = mem.read32(info + 44);
    const addr = mem.read32(info + 48);
    const entries: number[][] = [];
    for (let o = addr; o < addr + len; o += mem.read32(o) + 4) {
      entries.push([mem.read32(o + 4), mem.read32(o + 8), mem.read32(o + 12), mem.read32(o + 16), mem.read32(o + 20)]);
    }
    expect(entries).toEqual([
      [0, 0, 0x9fc00, 0, 1],
      [0x9fc00, 0, 0x400, 0, 2],
      [0xf0000, 0, 0x10000, 0, 2],
      [0x100000, 0, 3 * MiB, 0, 1],
    ]);
  });

  it("enters a higher-half ELF at the physical address of its entry point", () => {
    const seg = concat(mbHeader(0x2), code(64, 0xf4));
    const elf = buildElf(0xc0100010, [{ vaddr: 0xc0100000, paddr: 0x100000, data: seg, memsz: seg.length }]);
    expect(loadMultiboot(mem, elf).entry).toBe(0x100010);
    expect(mem.read8(0x100010)).toBe(0xf4);
  });

  it("loads an a.out-kludge image with the header's address fields", () => {
    // header at file offset 8 (after 8 bytes of code); the file loads at 0x200000
    const fields = [0x200008, 0x200000, 0, 0x204000, 0x200020];
    const image = concat(code(8, 0xcc), mbHeader(0x10003, fields), code(64, 0x90));
    const boot = loadMultiboot(mem, image);
    expect(boot.entry).toBe(0x200020);
    expect(Array.from(mem.readBytes(0x200000, image.length))).toEqual(Array.from(image));
    expect(mem.readBytes(0x200000 + image.length, 0x4000 - image.length).every((b) => b === 0)).toBe(true);
    expect(boot.kernelEnd).toBe(0x204000);
  });

  it("honours load_end_addr: only that much of the file is loaded", () => {
    const fields = [0x200000, 0x200000, 0x200030, 0, 0x200020];
    const image = concat(mbHeader(0x10000, fields), code(64, 0x90));
    loadMultiboot(mem, image);
    expect(mem.read8(0x20002f)).toBe(0x90);
    expect(mem.read8(0x200030)).toBe(0xaa);
  });

  it("finds the header anywhere 4-aligned and wholly inside the first 8 KiB", () => {
    const image = concat(code(8180, 0), mbHeader(0));
    expect(findMultibootHeader(image).offset).toBe(8180);
    const tooFar = concat(code(8184, 0), mbHeader(0));
    expect(() => findMultibootHeader(tooFar)).toThrow(/not a multiboot image/);
  });

  const fails = (image: Uint8Array, re: RegExp, m = mem) => {
    expect(() => loadMultiboot(m, image, { name: "k.elf" })).toThrow(ImageError);
    expect(() => loadMultiboot(m, image, { name: "k.elf" })).toThrow(re);
  };

  it("rejects files without a header", () => {
    fails(code(10000, 0x90), /^k\.elf: not a multiboot image \(no multiboot header in the first 8192 bytes\)$/);
    fails(new Uint8Array(0), /not a multiboot image/);
  });

  it("rejects a bad checksum", () => {
    fails(concat(mbHeader(0x3, [], 1), code(32, 0)), /^k\.elf: bad multiboot header checksum$/);
  });

  it("rejects required flag bits it does not know (bit 2, video, is accepted)", () => {
    fails(concat(mbHeader(0x8 | 0x10000, [0x200000, 0x200000, 0, 0, 0x200000]), code(32, 0)), /unsupported multiboot header flags 0x8/);
    const video = concat(mbHeader(0x10004, [0x200000, 0x200000, 0, 0, 0x200000, 0, 80, 25, 0]), code(32, 0));
    expect(loadMultiboot(mem, video).entry).toBe(0x200000);
  });

  it("rejects segments outside RAM", () => {
    const seg = concat(mbHeader(0), code(16, 0));
    fails(buildElf(0x3ff000, [{ vaddr: 0x3ff000, paddr: 0x3ff000, data: seg, memsz: 0x2000 }]),
      /^k\.elf: segment 0x3ff000-0x400fff lies outside RAM \(4 MiB\)$/);
    fails(concat(mbHeader(0x10000, [0x8000000, 0x8000000, 0, 0, 0x8000000]), code(16, 0)), /lies outside RAM/);
  });

  it("rejects truncated files", () => {
    const seg = concat(mbHeader(0), code(200, 0));
    const elf = buildElf(0x100000, [{ vaddr: 0x100000, paddr: 0x100000, data: seg, memsz: seg.length }]);
    fails(elf.subarray(0, elf.length - 50), /^k\.elf: truncated file \(segment data past the end\)$/);
    fails(concat(mbHeader(0x10000, [0x200000, 0x200000, 0x201000, 0, 0x200000]), code(16, 0)), /truncated file/);
    fails(mbHeader(0x10000, [0x200000]), /truncated file/);
  });

  it("rejects an image that is neither ELF nor has address fields", () => {
    fails(concat(mbHeader(0), code(64, 0)), /neither ELF nor has address fields/);
  });

  it("rejects modules that do not fit in RAM", () => {
    const seg = concat(mbHeader(0), code(16, 0));
    const elf = buildElf(0x100000, [{ vaddr: 0x100000, paddr: 0x100000, data: seg, memsz: seg.length }]);
    expect(() => loadMultiboot(mem, elf, { modules: [{ name: "big.cpio", data: new Uint8Array(3 * MiB) }] })).toThrow(
      /^big\.cpio: module does not fit in RAM \(4 MiB\) above the kernel$/,
    );
  });

  it("rejects a kernel overlapping the boot information area", () => {
    const seg = concat(mbHeader(0), code(16, 0));
    fails(buildElf(0x10000, [{ vaddr: 0x10000, paddr: 0x10000, data: seg, memsz: 0x100 }]), /overlaps the boot information area/);
  });
});
