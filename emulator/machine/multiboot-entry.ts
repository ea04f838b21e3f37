// The CPU state a Multiboot (v1) kernel is entered with, as the
// specification requires of the boot loader.

import { type CPU, F, S, CR0, Attr } from "../cpu/cpu.ts";
import { MULTIBOOT_BOOTLOADER_MAGIC, type MultibootBoot } from "./multiboot.ts";

/**
 * Puts `cpu` in the multiboot handoff state: protected mode without paging,
 * flat 4 GiB ring-0 segments (CS selector 0x08 read/execute, the data
 * segments 0x10 read/write; caches set directly, no GDT in memory, as the
 * specification allows), EAX = 0x2BADB002, EBX = the information address,
 * EFLAGS with IF and VM clear, EIP = the entry point.
 */
export function enterMultiboot(cpu: CPU, boot: MultibootBoot): void {
  cpu.cr0 = (cpu.cr0 | CR0.PE | CR0.ET) & ~CR0.PG;
  const code = Attr.P | Attr.S | Attr.CODE | Attr.RW | Attr.ACCESSED | Attr.DB | Attr.G;
  const data = Attr.P | Attr.S | Attr.RW | Attr.ACCESSED | Attr.DB | Attr.G;
  for (let s = 0; s < 6; s++) {
    const isCode = s === S.CS;
    cpu.segSel[s] = isCode ? 0x08 : 0x10;
    cpu.segBase[s] = 0;
    cpu.segLimit[s] = -1;
    cpu.segAttr[s] = isCode ? code : data;
  }
  cpu.cpl = 0;
  cpu.setEflags(0x2);
  cpu.flags &= ~(F.IF | F.VM);
  cpu.regs.fill(0);
  cpu.regs[0] = MULTIBOOT_BOOTLOADER_MAGIC | 0;
  cpu.regs[3] = boot.infoAddr;
  cpu.eip = boot.entry | 0;
  cpu.halted = false;
  cpu.onModeChange();
}
