// Parsing and validation of ELF32 i386 executables (ET_EXEC, and ET_DYN
// placed at a load bias: PIE programs, static-pie, and program interpreters
// such as ld.so). The result describes what exec maps: load segments with
// protections, the entry point, AT_PHDR, the PT_INTERP path, and where brk
// starts. Anything malformed is -ENOEXEC with a reason; never throws.

import { Errno } from "../errno.ts";
import { PAGE_SIZE } from "../mm/config.ts";

export const TASK_SIZE = 0xc000_0000;
/** Where ET_DYN images are placed on i386 (ELF_ET_DYN_BASE for ia32 tasks). */
export const ELF_ET_DYN_BASE = 0x0040_0000;

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_386 = 3;
export const PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6, PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1, PF_W = 2, PF_R = 4;
export const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
export const EHDR_SIZE = 52;
export const PHDR_SIZE = 32;

export interface ElfSegment {
  /** Page-unaligned values from the program header, load bias applied to vaddr. */
  vaddr: number;
  memsz: number;
  filesz: number;
  offset: number;
  /** PROT_* bits from p_flags. */
  prot: number;
}

export interface ElfImage {
  ok: true;
  type: number;
  entry: number;
  /** Added to every p_vaddr (0 for ET_EXEC). */
  loadBias: number;
  segments: ElfSegment[];
  /** AT_PHDR: where the program headers are in memory (0 if no load segment covers them). */
  phdrAddr: number;
  phnum: number;
  phent: number;
  /** PT_INTERP path (the program interpreter exec loads too, e.g. /lib/ld-linux.so.2), or null. */
  interp: string | null;
  /** PT_GNU_STACK asked for an executable stack (default on i386 without the header: true). */
  execStack: boolean;
  /** mm->start_code/end_code/start_data/end_data and brk start (page aligned end of bss). */
  startCode: number;
  endCode: number;
  startData: number;
  endData: number;
  brkStart: number;
}

export interface ElfError {
  ok: false;
  errno: number;
  reason: string;
}

export type ElfResult = ElfImage | ElfError;

function bad(reason: string): ElfError {
  return { ok: false, errno: -Errno.ENOEXEC, reason };
}

const pageAlign = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;

/** Does buf start like an ELF file (the binfmt_elf check before anything else)? */
export function isElf(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

/**
 * How many leading bytes of an ELF file parseElf needs: through the program
 * headers and the PT_INTERP path (Linux's load_elf_binary reads just these
 * with kernel_read; the segments are mapped, not read). `head` is a prefix of
 * the file; when it is too short to tell, the result is larger than it.
 * For something that is not ELF, head.length.
 */
export function elfHeadersEnd(head: Uint8Array): number {
  if (head.length < EHDR_SIZE || !isElf(head)) return head.length;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const phoff = v.getUint32(28, true);
  const phnum = v.getUint16(44, true);
  if (v.getUint16(42, true) !== PHDR_SIZE || phnum * PHDR_SIZE > PAGE_SIZE) return head.length;
  const phEnd = phoff + phnum * PHDR_SIZE;
  if (phEnd > head.length) return phEnd;
  let end = phEnd;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    const filesz = v.getUint32(o + 16, true);
    if (v.getUint32(o, true) === PT_INTERP && filesz <= 4096) end = Math.max(end, v.getUint32(o + 4, true) + filesz);
  }
  return end;
}

/**
 * Validate an ELF file and describe how to load it. img holds at least the
 * file's first elfHeadersEnd(img) bytes (or all of it); fileSize is the
 * file's size, against which the segments are checked.
 * dynBase: load address for ET_DYN images (page aligned).
 */
export function parseElf(img: Uint8Array, dynBase = ELF_ET_DYN_BASE, fileSize = img.length): ElfResult {
  if (img.length < EHDR_SIZE) return bad(`file too short for an ELF header (${img.length} bytes)`);
  if (!isElf(img)) return bad("bad ELF magic");
  if (img[4] !== 1) return bad(`not ELFCLASS32 (EI_CLASS ${img[4]})`);
  if (img[5] !== 1) return bad(`not little-endian (EI_DATA ${img[5]})`);
  if (img[6] !== 1) return bad(`bad EI_VERSION ${img[6]}`);
  const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const type = v.getUint16(16, true);
  const machine = v.getUint16(18, true);
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  if (type !== ET_EXEC && type !== ET_DYN) return bad(`e_type ${type} is not ET_EXEC or ET_DYN`);
  if (machine !== EM_386) return bad(`e_machine ${machine} is not EM_386`);
  if (phentsize !== PHDR_SIZE) return bad(`e_phentsize ${phentsize} is not ${PHDR_SIZE}`);
  if (phnum === 0 || phnum * PHDR_SIZE > PAGE_SIZE) return bad(`e_phnum ${phnum} out of range (1..${PAGE_SIZE / PHDR_SIZE})`);
  if (phoff + phnum * PHDR_SIZE > img.length) return bad(`program headers (offset ${phoff}) beyond the end of the file`);
  if (dynBase % PAGE_SIZE !== 0) return bad("dynBase not page aligned");
  const bias = type === ET_DYN ? dynBase : 0;

  const segments: ElfSegment[] = [];
  let interp: string | null = null;
  let execStack = true;
  let phdrAddr = 0;
  let startCode = Infinity, endCode = 0, startData = 0, endData = 0, brk = 0;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    const pType = v.getUint32(o, true);
    const pOffset = v.getUint32(o + 4, true);
    const pVaddr = v.getUint32(o + 8, true);
    const pFilesz = v.getUint32(o + 16, true);
    const pMemsz = v.getUint32(o + 20, true);
    const pFlags = v.getUint32(o + 24, true);
    if (pType === PT_INTERP) {
      if (interp !== null) return bad("more than one PT_INTERP");
      if (pFilesz < 2 || pFilesz > 4096 || pOffset + pFilesz > img.length) return bad("bad PT_INTERP size or offset");
      if (img[pOffset + pFilesz - 1] !== 0) return bad("PT_INTERP path not NUL-terminated");
      const raw = img.subarray(pOffset, pOffset + pFilesz - 1);
      const nul = raw.indexOf(0);
      interp = String.fromCharCode(...(nul < 0 ? raw : raw.subarray(0, nul)));
      continue;
    }
    if (pType === PT_GNU_STACK) {
      execStack = (pFlags & PF_X) !== 0;
      continue;
    }
    if (pType !== PT_LOAD) continue;
    const where = `PT_LOAD #${i} (vaddr 0x${pVaddr.toString(16)})`;
    if (pFilesz > pMemsz) return bad(`${where}: p_filesz > p_memsz`);
    if (pOffset + pFilesz > fileSize) return bad(`${where}: file data beyond the end of the file`);
    if (pOffset % PAGE_SIZE !== pVaddr % PAGE_SIZE) return bad(`${where}: p_offset and p_vaddr not congruent modulo the page size`);
    const vaddr = pVaddr + bias;
    if (pMemsz > TASK_SIZE || vaddr >= TASK_SIZE || TASK_SIZE - pMemsz < vaddr) return bad(`${where}: outside user space`);
    if (pMemsz === 0) continue;
    const prev = segments[segments.length - 1];
    if (prev !== undefined && vaddr < prev.vaddr + prev.memsz) return bad(`${where}: overlaps or precedes the previous PT_LOAD`);
    segments.push({
      vaddr, memsz: pMemsz, filesz: pFilesz, offset: pOffset,
      prot: ((pFlags & PF_R) ? PROT_READ : 0) | ((pFlags & PF_W) ? PROT_WRITE : 0) | ((pFlags & PF_X) ? PROT_EXEC : 0),
    });
    if (pOffset <= phoff && phoff < pOffset + pFilesz) phdrAddr = phoff - pOffset + vaddr;
    if (vaddr < startCode) startCode = vaddr;
    if (startData < vaddr) startData = vaddr;
    const fileEnd = vaddr + pFilesz;
    if ((pFlags & PF_X) && endCode < fileEnd) endCode = fileEnd;
    if (endData < fileEnd) endData = fileEnd;
    if (vaddr + pMemsz > brk) brk = vaddr + pMemsz;
  }
  if (segments.length === 0) return bad("no PT_LOAD segment");
  const ent = (entry + bias) >>> 0;
  if (type === ET_DYN && entry + bias >= TASK_SIZE) return bad("entry point outside user space");
  return {
    ok: true, type, entry: ent, loadBias: bias, segments, phdrAddr, phnum, phent: PHDR_SIZE, interp, execStack,
    startCode, endCode, startData, endData, brkStart: pageAlign(brk),
  };
}
