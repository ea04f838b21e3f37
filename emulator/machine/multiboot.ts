// A Multiboot (version 1) boot loader: finds the header in the first 8 KiB of
// the image, loads the kernel (ELF32 program headers, or the header's address
// fields when flag bit 16 is set: the "a.out kludge"), places boot modules
// above it and builds the multiboot information structure in low memory.
//
// Layout chosen here: the information structure, memory map, module list and
// strings live from INFO_BASE (64 KiB) upwards in conventional memory;
// modules are page aligned, after the highest byte the kernel occupies (and
// not below 1 MiB). The command line is exactly the string given (--append),
// without the kernel's file name. The CPU state at entry: multiboot-entry.ts.

import type { PhysicalMemory } from "../memory/physmem.ts";
import { parseElf32, isElf, PT_LOAD } from "./elf32.ts";
import { ImageError } from "./image-error.ts";

export const MULTIBOOT_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** Physical address of the multiboot information structure. */
export const INFO_BASE = 0x10000;
const INFO_LIMIT = 0x9fc00;
const SEARCH_BYTES = 8192;
/** Header flag bits this loader understands among the required ones (0-15). */
const SUPPORTED_REQUIRED = 0x7; // page-align modules, memory info, video mode (ignored)
const FLAG_ADDRESSES = 1 << 16;

export interface MultibootModule {
  /** The module's string (its file name as given). */
  name: string;
  data: Uint8Array;
}

export interface MultibootOptions {
  /** Kernel command line (default empty). */
  cmdline?: string;
  modules?: MultibootModule[];
  /** Prefix for error messages, usually the file name. */
  name?: string;
}

export interface MultibootHeader {
  offset: number;
  flags: number;
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

/** The result of loading: where to jump and what to pass. */
export interface MultibootBoot {
  entry: number;
  infoAddr: number;
  /** Physical [start, end) of the loaded kernel, bss included. */
  kernelStart: number;
  kernelEnd: number;
  modules: { start: number; end: number }[];
}

const u32 = (d: Uint8Array, o: number) => (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
const hex = (v: number) => "0x" + (v >>> 0).toString(16);

/** Finds and validates the multiboot header. Throws ImageError when absent, corrupt or unsupported. */
export function findMultibootHeader(image: Uint8Array, name = "kernel"): MultibootHeader {
  const end = Math.min(image.length, SEARCH_BYTES) - 12;
  let sawMagic = false;
  for (let o = 0; o <= end; o += 4) {
    if (u32(image, o) !== MULTIBOOT_MAGIC) continue;
    const flags = u32(image, o + 4);
    if (((MULTIBOOT_MAGIC + flags + u32(image, o + 8)) >>> 0) !== 0) {
      sawMagic = true;
      continue;
    }
    const unknown = flags & 0xffff & ~SUPPORTED_REQUIRED;
    if (unknown) throw new ImageError(`${name}: unsupported multiboot header flags ${hex(unknown)} (required bits this loader does not know)`);
    const h: MultibootHeader = { offset: o, flags, headerAddr: 0, loadAddr: 0, loadEndAddr: 0, bssEndAddr: 0, entryAddr: 0 };
    if (flags & FLAG_ADDRESSES) {
      if (o + 32 > image.length) throw new ImageError(`${name}: truncated file (multiboot address fields past the end)`);
      h.headerAddr = u32(image, o + 12);
      h.loadAddr = u32(image, o + 16);
      h.loadEndAddr = u32(image, o + 20);
      h.bssEndAddr = u32(image, o + 24);
      h.entryAddr = u32(image, o + 28);
    }
    return h;
  }
  if (sawMagic) throw new ImageError(`${name}: bad multiboot header checksum`);
  throw new ImageError(`${name}: not a multiboot image (no multiboot header in the first 8192 bytes)`);
}

interface Piece {
  addr: number;
  /** Bytes to copy (may be shorter than size: the rest is zeroed). */
  bytes: Uint8Array;
  size: number;
}

function checkInRam(mem: PhysicalMemory, addr: number, size: number, name: string): void {
  if (size === 0) return;
  const mib = mem.ramSize / (1024 * 1024);
  if (addr + size > mem.ramSize || addr + size > 2 ** 32) {
    throw new ImageError(`${name}: segment ${hex(addr)}-${hex(addr + size - 1)} lies outside RAM (${mib} MiB)`);
  }
}

function elfPieces(image: Uint8Array, name: string): { pieces: Piece[]; entry: number } {
  const elf = parseElf32(image, name);
  const pieces: Piece[] = [];
  let entry = elf.entry;
  for (const s of elf.segments) {
    if (s.type !== PT_LOAD || s.memsz === 0) continue;
    if (s.filesz > s.memsz) throw new ImageError(`${name}: bad ELF segment (file size larger than memory size)`);
    if (s.offset + s.filesz > image.length) throw new ImageError(`${name}: truncated file (segment data past the end)`);
    pieces.push({ addr: s.paddr, bytes: image.subarray(s.offset, s.offset + s.filesz), size: s.memsz });
    // an entry given as a virtual address in a segment linked elsewhere: use its physical address
    if (s.vaddr !== s.paddr && elf.entry >= s.vaddr && elf.entry < s.vaddr + s.memsz) entry = (elf.entry - s.vaddr + s.paddr) >>> 0;
  }
  if (pieces.length === 0) throw new ImageError(`${name}: ELF file has no loadable segments`);
  return { pieces, entry };
}

function addressPieces(image: Uint8Array, h: MultibootHeader, name: string): { pieces: Piece[]; entry: number } {
  if (h.headerAddr < h.loadAddr) throw new ImageError(`${name}: bad multiboot address fields (header_addr below load_addr)`);
  const fileStart = h.offset - (h.headerAddr - h.loadAddr);
  if (fileStart < 0) throw new ImageError(`${name}: bad multiboot address fields (load_addr before the start of the file)`);
  let loadLen: number;
  if (h.loadEndAddr === 0) loadLen = image.length - fileStart;
  else {
    if (h.loadEndAddr < h.loadAddr) throw new ImageError(`${name}: bad multiboot address fields (load_end_addr below load_addr)`);
    loadLen = h.loadEndAddr - h.loadAddr;
    if (fileStart + loadLen > image.length) throw new ImageError(`${name}: truncated file (load_end_addr past the end of the file)`);
  }
  let size = loadLen;
  if (h.bssEndAddr !== 0) {
    if (h.bssEndAddr < h.loadAddr + loadLen) throw new ImageError(`${name}: bad multiboot address fields (bss_end_addr below the loaded data)`);
    size = h.bssEndAddr - h.loadAddr;
  }
  return { pieces: [{ addr: h.loadAddr, bytes: image.subarray(fileStart, fileStart + loadLen), size }], entry: h.entryAddr };
}

/**
 * Loads a multiboot kernel `image` and its modules into `mem` and writes the
 * information structure. Does not touch the CPU (see enterMultiboot).
 * Throws ImageError for anything the user must fix.
 */
export function loadMultiboot(mem: PhysicalMemory, image: Uint8Array, opts: MultibootOptions = {}): MultibootBoot {
  const name = opts.name ?? "kernel";
  const header = findMultibootHeader(image, name);
  if (!(header.flags & FLAG_ADDRESSES) && !isElf(image)) {
    throw new ImageError(`${name}: multiboot image is neither ELF nor has address fields (flag bit 16)`);
  }
  const { pieces, entry } = header.flags & FLAG_ADDRESSES ? addressPieces(image, header, name) : elfPieces(image, name);

  // ---- the information area: its size decides where it ends ----
  const cmdline = opts.cmdline ?? "";
  const modules = opts.modules ?? [];
  const strings: string[] = ["vmalab", cmdline, ...modules.map((m) => m.name)];
  const enc = new TextEncoder();
  const encoded = strings.map((s) => enc.encode(s + "\0"));
  const mmap = memoryMap(mem.ramSize);
  const infoSize = 128;
  const mmapAddr = INFO_BASE + infoSize;
  const modsAddr = mmapAddr + mmap.length * 24;
  let strAddr = modsAddr + modules.length * 16;
  const infoEnd = strAddr + encoded.reduce((n, e) => n + e.length, 0);
  if (infoEnd > INFO_LIMIT) throw new ImageError(`${name}: command line and module names too long for the boot information area`);

  let kernelStart = 2 ** 32;
  let kernelEnd = 0;
  for (const p of pieces) {
    checkInRam(mem, p.addr, p.size, name);
    if (p.addr < infoEnd && p.addr + p.size > INFO_BASE) {
      throw new ImageError(`${name}: segment ${hex(p.addr)}-${hex(p.addr + p.size - 1)} overlaps the boot information area at ${hex(INFO_BASE)}`);
    }
    kernelStart = Math.min(kernelStart, p.addr);
    kernelEnd = Math.max(kernelEnd, p.addr + p.size);
  }

  for (const p of pieces) {
    mem.writeBytes(p.addr, p.bytes);
    if (p.size > p.bytes.length) mem.writeBytes(p.addr + p.bytes.length, new Uint8Array(p.size - p.bytes.length));
  }

  // ---- modules, page aligned above the kernel ----
  let next = Math.max(0x100000, pageUp(kernelEnd));
  const placed: { start: number; end: number }[] = [];
  for (const m of modules) {
    const start = next;
    const end = start + m.data.length;
    if (end > mem.ramSize) {
      throw new ImageError(`${m.name}: module does not fit in RAM (${mem.ramSize / (1024 * 1024)} MiB) above the kernel`);
    }
    mem.writeBytes(start, m.data);
    placed.push({ start, end });
    next = pageUp(end);
  }

  // ---- strings ----
  const strAddrs: number[] = [];
  for (const e of encoded) {
    mem.writeBytes(strAddr, e);
    strAddrs.push(strAddr);
    strAddr += e.length;
  }

  // ---- module list ----
  placed.forEach((p, i) => {
    const o = modsAddr + i * 16;
    mem.write32(o, p.start);
    mem.write32(o + 4, p.end);
    mem.write32(o + 8, strAddrs[2 + i]);
    mem.write32(o + 12, 0);
  });

  // ---- memory map: entries of size 20 (+4 for the size field) ----
  mmap.forEach((e, i) => {
    const o = mmapAddr + i * 24;
    mem.write32(o, 20);
    mem.write32(o + 4, e.base);
    mem.write32(o + 8, 0);
    mem.write32(o + 12, e.length);
    mem.write32(o + 16, 0);
    mem.write32(o + 20, e.type);
  });

  // ---- the information structure ----
  mem.writeBytes(INFO_BASE, new Uint8Array(infoSize));
  const flags = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9);
  mem.write32(INFO_BASE + 0, flags);
  mem.write32(INFO_BASE + 4, 639);
  mem.write32(INFO_BASE + 8, Math.floor((mem.ramSize - 0x100000) / 1024));
  mem.write32(INFO_BASE + 16, strAddrs[1]);
  mem.write32(INFO_BASE + 20, modules.length);
  mem.write32(INFO_BASE + 24, modsAddr);
  mem.write32(INFO_BASE + 44, mmap.length * 24);
  mem.write32(INFO_BASE + 48, mmapAddr);
  mem.write32(INFO_BASE + 64, strAddrs[0]);

  return { entry: entry >>> 0, infoAddr: INFO_BASE, kernelStart, kernelEnd, modules: placed };
}

function pageUp(v: number): number {
  return Math.ceil(v / 4096) * 4096;
}

/** The BIOS-style memory map: 639 KiB of conventional memory, the EBDA and BIOS area reserved, RAM above 1 MiB. */
function memoryMap(ramSize: number): { base: number; length: number; type: number }[] {
  const map = [
    { base: 0, length: 0x9fc00, type: 1 },
    { base: 0x9fc00, length: 0x400, type: 2 },
    { base: 0xf0000, length: 0x10000, type: 2 },
  ];
  if (ramSize > 0x100000) map.push({ base: 0x100000, length: ramSize - 0x100000, type: 1 });
  return map;
}
