// Paging (mmu.ts): two-level walk, 4 MiB pages, P/RW/US checks with CR0.WP, A/D bits
// written back, #PF error codes and CR2, the TLB staying stale until INVLPG/CR3 load,
// and page-crossing writes faulting before any byte is written.
import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run } from "./setup.ts";
import { CPU, CR0, CR4 } from "../../emulator/cpu/cpu.ts";

const t = NASM ? it : it.skip;
const PD = 0x10000;
const PT = 0x11000; // maps 0..4 MiB

/** Identity-maps the first 4 MiB with `flags` (default present+RW, supervisor), enables paging. */
function paged(src: string, flags = 3): CPU {
  const cpu = makeCpu(asm(src));
  const m = cpu.mem;
  m.write32(PD, PT | 7);
  for (let i = 0; i < 1024; i++) m.write32(PT + i * 4, (i << 12) | flags);
  cpu.cr3 = PD;
  cpu.cr0 |= CR0.PG;
  cpu.flushTlb();
  cpu.onModeChange();
  return cpu;
}
const pte = (cpu: CPU, addr: number) => cpu.mem.read32(PT + (addr >>> 12) * 4);

describe("paging", () => {
  t("sets A on PDE and PTE, D only on written pages", () => {
    const cpu = paged("mov eax, [0x5000]\nmov [0x6000], eax\nhlt");
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.mem.read32(PD) & 0x20).toBe(0x20);
    expect(pte(cpu, 0x5000) & 0x60).toBe(0x20);
    expect(pte(cpu, 0x6000) & 0x60).toBe(0x60);
  });
  t("#PF on a not-present page: CR2, error code W, restart at the instruction", () => {
    const cpu = paged("mov dword [0x7004], 1\nhlt");
    cpu.mem.write32(PT + 7 * 4, 0);
    const r = run(cpu);
    expect(r.exception).toBe(14);
    expect(cpu.cr2).toBe(0x7004);
    expect(cpu.lastErrorCode).toBe(2);
    expect(cpu.eip).toBe(0x1000);
  });
  t("user access to a supervisor page: P|U; user write to read-only: P|W|U", () => {
    const src = "mov eax, [0x8000]\nhlt";
    let cpu = paged(src, 7);
    cpu.mem.write32(PT + 8 * 4, 0x8000 | 3);
    cpu.cpl = 3;
    cpu.onModeChange();
    run(cpu);
    expect(cpu.lastException).toBe(14);
    expect(cpu.lastErrorCode).toBe(5);
    cpu = paged("mov [0x8000], eax\nhlt", 7);
    cpu.mem.write32(PT + 8 * 4, 0x8000 | 5);
    cpu.cpl = 3;
    cpu.onModeChange();
    run(cpu);
    expect(cpu.lastErrorCode).toBe(7);
  });
  t("supervisor writes to read-only pages fault only with CR0.WP", () => {
    let cpu = paged("mov dword [0x8000], 5\nhlt");
    cpu.mem.write32(PT + 8 * 4, 0x8000 | 1);
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.mem.read32(0x8000)).toBe(5);
    cpu = paged("mov dword [0x8000], 5\nhlt");
    cpu.mem.write32(PT + 8 * 4, 0x8000 | 1);
    cpu.cr0 |= CR0.WP;
    cpu.flushTlb();
    expect(run(cpu).exception).toBe(14);
    expect(cpu.lastErrorCode).toBe(3);
  });
  t("the TLB stays stale until INVLPG", () => {
    // map 0x9000 -> 0x9000, read it, remap to 0xa000 in the PTE, read again (stale), invlpg, read
    const cpu = paged(`
      mov eax, [0x9000]
      mov dword [${PT + 9 * 4}], 0xa003
      mov ebx, [0x9000]
      invlpg [0x9000]
      mov ecx, [0x9000]
      hlt`);
    cpu.mem.write32(0x9000, 111);
    cpu.mem.write32(0xa000, 222);
    expect(run(cpu).exception).toBe(-1);
    expect([cpu.regs[0], cpu.regs[3], cpu.regs[1]]).toEqual([111, 111, 222]);
  });
  t("a CR3 load flushes the TLB", () => {
    const cpu = paged(`
      mov eax, [0x9000]
      mov dword [${PT + 9 * 4}], 0xa003
      mov edx, cr3
      mov cr3, edx
      mov ebx, [0x9000]
      hlt`);
    cpu.mem.write32(0x9000, 1);
    cpu.mem.write32(0xa000, 2);
    expect(run(cpu).exception).toBe(-1);
    expect([cpu.regs[0], cpu.regs[3]]).toEqual([1, 2]);
    expect([...cpu.tlbEntries()].some(([lin, phys]) => lin === 9 && phys === 0xa)).toBe(true);
  });
  t("a page-crossing write faults on the second page before writing the first", () => {
    const cpu = paged("mov dword [0xbffe], 0x11223344\nhlt");
    cpu.mem.write32(PT + 0xc * 4, 0);
    expect(run(cpu).exception).toBe(14);
    expect(cpu.cr2).toBe(0xc000);
    expect(cpu.mem.read8(0xbffe)).toBe(0);
  });
  t("4 MiB pages with CR4.PSE", () => {
    const cpu = paged("mov eax, [0x400010]\nmov [0x400020], eax\nhlt");
    cpu.mem.write32(PD + 4, 0x000000 | 0x83); // 4..8 MiB -> 0..4 MiB
    cpu.cr4 |= CR4.PSE;
    cpu.mem.write32(0x10, 0xabcd);
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[0]).toBe(0xabcd);
    expect(cpu.mem.read32(0x20)).toBe(0xabcd);
    expect(cpu.mem.read32(PD + 4) & 0x60).toBe(0x60);
  });
  t("self-modifying code on the current page takes effect", () => {
    const cpu = paged(`
      mov byte [patch + 1], 42
    patch:
      mov eax, 7
      hlt`);
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[0]).toBe(42);
  });
});
