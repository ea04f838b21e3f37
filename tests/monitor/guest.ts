// A hand-built paged guest on a real Machine for the monitor and gdb tests:
// flat 32-bit ring-0 segments, identity-mapped first MiB (supervisor), and
// three user pages at 0x800000 (-> 0x100000 rw), 0x801000 (-> 0x101000 ro),
// 0x802000 (-> 0x103000 rw). The code at 0x10000 reads 0x800000 (filling the
// TLB), repoints its PTE at 0x102000 WITHOUT invlpg, reads it again (stale:
// still 0x100000's value), writes 0x55 to 0x802004, increments ECX, halts.

import { Machine } from "../../emulator/machine/machine.ts";
import { Attr, CR0, S } from "../../emulator/cpu/cpu.ts";

export const CODE = 0x10000;
export const CODE_BYTES = [
  0xa1, 0x00, 0x00, 0x80, 0x00, // mov eax,ds:0x800000
  0xc7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x07, 0x20, 0x10, 0x00, // mov DWORD PTR ds:0x3000,0x102007
  0x8b, 0x1d, 0x00, 0x00, 0x80, 0x00, // mov ebx,DWORD PTR ds:0x800000
  0xc7, 0x05, 0x04, 0x20, 0x80, 0x00, 0x55, 0x00, 0x00, 0x00, // mov DWORD PTR ds:0x802004,0x55
  0x41, // inc ecx
  0xfa, // cli
  0xf4, // hlt
];

/** A stopped machine about to execute CODE with paging on. */
export function pagedGuest(): Machine {
  const m = new Machine({ memorySize: 4 * 1024 * 1024, startTime: 0 });
  const mem = m.mem;
  const PD = 0x1000, PT0 = 0x2000, PT2 = 0x3000;
  mem.write32(PD + 0 * 4, PT0 | 3);
  mem.write32(PD + 2 * 4, PT2 | 7);
  for (let i = 0; i < 256; i++) mem.write32(PT0 + i * 4, (i * 4096) | 3);
  mem.write32(PT2 + 0 * 4, 0x100000 | 7);
  mem.write32(PT2 + 1 * 4, 0x101000 | 5);
  mem.write32(PT2 + 2 * 4, 0x103000 | 7);
  mem.write32(0x100000, 0x11111111);
  mem.write32(0x102000, 0x22222222);
  mem.writeBytes(CODE, Uint8Array.from(CODE_BYTES));
  const cpu = m.cpu;
  for (let s = 0; s < 6; s++) {
    cpu.segSel[s] = s === S.CS ? 0x08 : 0x10;
    cpu.segBase[s] = 0;
    cpu.segLimit[s] = -1;
    cpu.segAttr[s] = (s === S.CS ? 0x9b : 0x93) | Attr.DB | Attr.G;
  }
  cpu.cpl = 0;
  cpu.cr3 = PD;
  cpu.cr0 = CR0.PE | CR0.ET | CR0.PG;
  cpu.setEflags(2);
  cpu.eip = CODE;
  cpu.regs[4] = 0x9000;
  cpu.halted = false;
  cpu.flushTlb();
  cpu.onModeChange();
  return m;
}
