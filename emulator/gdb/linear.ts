// Guest memory at linear addresses for the gdb stub's m/M packets, through
// the CPU's side-effect-free debug walk (no A/D bits, no TLB fill, no fault).

import type { CPU } from "../cpu/cpu.ts";

/** Reads `len` bytes at linear `lin` via the current page tables; null if any byte is unmapped. */
export function readLinear(cpu: CPU, lin: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; ) {
    const a = (lin + i) >>> 0;
    const pa = cpu.physAddrDebug(a);
    if (pa < 0) return null;
    const n = Math.min(len - i, 4096 - (a & 0xfff));
    for (let k = 0; k < n; k++) out[i + k] = cpu.mem.read8(pa + k);
    i += n;
  }
  return out;
}

/** Writes bytes at linear `lin` via the current page tables (ignoring R/W); false if any page is unmapped (nothing written then). */
export function writeLinear(cpu: CPU, lin: number, data: Uint8Array): boolean {
  const pas: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const pa = cpu.physAddrDebug((lin + i) >>> 0);
    if (pa < 0) return false;
    pas.push(pa);
  }
  for (let i = 0; i < data.length; i++) cpu.mem.write8(pas[i], data[i]);
  return true;
}
