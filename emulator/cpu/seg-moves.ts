// The instructions that move segment registers through the stack or from a
// far pointer in memory (PUSH/POP sreg, LES/LDS/LSS/LFS/LGS), shared by the
// one-byte (exec.ts) and 0F (exec0f.ts) opcode maps.

import type { CPU } from "./cpu.ts";
import { S, Vec } from "./defs.ts";
import { fetch8, decodeEa, push16, push32, peek16, peek32 } from "./access.ts";
import { readMem, setReg, vsz } from "./operands.ts";
import { loadSegment } from "./sys-segments.ts";

/** PUSH ES/CS/SS/DS/FS/GS: the selector, as a word or (32-bit operand size) a dword. */
export function pushSeg(c: CPU, s: number): void {
  if (c.os32) push32(c, c.segSel[s]);
  else push16(c, c.segSel[s]);
}

/**
 * POP ES/SS/DS/FS/GS: loads the segment before committing ESP. The pop advances SP or
 * ESP by the size of the stack it was read from (Intel SDM vol. 2B, POP: StackAddrSize
 * at the time of the pop), so a POP SS that changes SS.B still moves the old stack's pointer.
 */
export function popSeg(c: CPU, s: number): void {
  const o32 = c.os32;
  const v = o32 ? peek32(c, 0) & 0xffff : peek16(c, 0);
  const n = o32 ? 4 : 2;
  const s32 = c.stack32;
  const sp = s32 ? (c.regs[4] + n) | 0 : (c.reg16[8] + n) & 0xffff;
  loadSegment(c, s, v);
  if (s32) c.regs[4] = sp;
  else c.reg16[8] = sp;
  if (s === S.SS) c.shadow = c.ssShadow = c.blockEnd = true;
}

/** LES/LDS/LSS/LFS/LGS r, m16:16/32. */
export function loadFarPointer(c: CPU, s: number): void {
  const m = fetch8(c);
  if (m >= 0xc0) c.fault(Vec.UD);
  decodeEa(c, m);
  const sz = vsz(c);
  const o = readMem(c, sz, c.eaSeg, c.ea);
  const sel = readMem(c, 1, c.eaSeg, (c.ea + (sz === 2 ? 4 : 2)) | 0);
  loadSegment(c, s, sel);
  setReg(c, sz, (m >> 3) & 7, o);
  if (s === S.SS) c.shadow = c.blockEnd = true;
}
