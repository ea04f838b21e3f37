// Exceptions raised by the core: #UD (unknown opcodes, illegal LOCK, FPU escapes without an FPU),
// #NM, #GP for privileged instructions at CPL 3 and IOPL checks, segment limit
// #GP/#SS, null selectors, single-step #DB; CPUID and RDTSC values.
import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run, runAsm } from "./setup.ts";
import { CPU, CR0, S, Stop } from "../../emulator/cpu/cpu.ts";

const t = NASM ? it : it.skip;

function user(src: string): CPU {
  const cpu = makeCpu(asm(src));
  cpu.cpl = 3;
  cpu.trLimit = 0x20; // TSS too short for an I/O bitmap: every port denied
  cpu.onModeChange();
  return cpu;
}

describe("faults", () => {
  t("#UD for undefined opcodes, UD2, illegal LOCK, MOV CS", () => {
    for (const src of ["ud2", "db 0x0f, 0xff", "lock mov eax, ebx", "lock add eax, ebx", "db 0x8e, 0xc8", "db 0x0f, 0x30", "lea eax, [ebx]\ndb 0x8d, 0xc0"]) {
      const r = runAsm(`${src}\nhlt`);
      expect(r.exception, src).toBe(6);
    }
    expect(runAsm("lock add [0x3000], eax\nhlt").exception).toBe(-1);
    expect(runAsm("lock bts dword [0x3000], 3\nhlt").exception).toBe(-1);
  });
  t("FPU escapes: #UD without FPU, #NM with EM or TS; WAIT", () => {
    expect(runAsm("fninit\nhlt").exception).toBe(-1);
    let cpu = makeCpu(asm("fninit\nhlt"));
    cpu.hasFpu = false;
    expect(run(cpu).exception).toBe(6);
    cpu = makeCpu(asm("fld dword [0x3000]\nhlt"));
    cpu.cr0 |= CR0.EM;
    expect(run(cpu).exception).toBe(7);
    cpu = makeCpu(asm("fninit\nhlt"));
    cpu.cr0 |= CR0.TS;
    expect(run(cpu).exception).toBe(7);
    expect(runAsm("wait\nhlt").exception).toBe(-1);
    cpu = makeCpu(asm("wait\nhlt"));
    cpu.cr0 |= CR0.TS | CR0.MP;
    expect(run(cpu).exception).toBe(7);
  });
  t("privileged instructions at CPL 3 raise #GP(0)", () => {
    for (const src of ["hlt", "cli", "sti", "mov eax, cr0", "mov cr3, eax", "lgdt [0x3000]", "invlpg [0]", "clts", "mov eax, dr7", "in al, 0x60", "out 0x80, al", "wbinvd"]) {
      const cpu = user(`${src}\nhlt`);
      run(cpu);
      expect(cpu.lastException, src).toBe(13);
      expect(cpu.lastErrorCode, src).toBe(0);
      expect(cpu.eip, src).toBe(0x1000);
    }
  });
  t("POPF at CPL 3 keeps IOPL and IF; at CPL 0 changes them; VM never", () => {
    let cpu = user("push dword 0x3202 | 0x20000\npopfd\npushfd\npop eax\njmp $");
    cpu.run(cpu.clock.cycles + 200);
    expect(cpu.regs[0] & 0x23200).toBe(0);
    const r = runAsm("push dword 0x3002 | 0x20000\npopfd\npushfd\npop eax\nhlt");
    expect(r.cpu.regs[0] & 0x23200).toBe(0x3000);
    cpu = r.cpu;
    expect(cpu.vm86).toBe(false);
  });
  t("segment limits: #GP for data, #SS for the stack, expand-down segments", () => {
    let cpu = makeCpu(asm("mov eax, [0x2000]\nhlt"));
    cpu.segLimit[S.DS] = 0x1fff;
    expect(run(cpu).exception).toBe(13);
    cpu = makeCpu(asm("mov eax, [0x1ffc]\nmov ebx, [0x1ffd]\nhlt"));
    cpu.segLimit[S.DS] = 0x1fff;
    expect(run(cpu).exception).toBe(13);
    expect(cpu.eip).toBe(0x1005);
    cpu = makeCpu(asm("push eax\nhlt"), { esp: 0x102 });
    cpu.segLimit[S.SS] = 0xff;
    expect(run(cpu).exception).toBe(12);
    cpu = makeCpu(asm("mov eax, [0x100]\nmov [0x1000], eax\nmov eax, [0x10]\nhlt"));
    cpu.segAttr[S.DS] = 0x93 | 0x4 | 0x4000; // expand-down, big
    cpu.segLimit[S.DS] = 0xff;
    expect(run(cpu).exception).toBe(13);
    expect(cpu.eip).toBe(0x100a);
  });
  t("null selector in protected mode: #GP(0); read-only data: #GP on write", () => {
    let cpu = makeCpu(asm("mov eax, [es:0x10]\nhlt"));
    cpu.segAttr[S.ES] = 0;
    expect(run(cpu).exception).toBe(13);
    cpu = makeCpu(asm("mov eax, [0x10]\nmov [0x10], eax\nhlt"));
    cpu.segAttr[S.DS] = 0x91 | 0xc000;
    expect(run(cpu).exception).toBe(13);
    expect(cpu.eip).toBe(0x1005);
  });
  t("TF single-steps with #DB after each instruction", () => {
    const cpu = makeCpu(asm("pushfd\nor dword [esp], 0x100\npopfd\nnop\nnop\nhlt"));
    run(cpu);
    expect(cpu.lastException).toBe(1);
    expect(cpu.lastExceptionEip).toBe(0x1000 + 1 + 7 + 1 + 1); // trap after the nop that follows POPF
  });
  t("CPUID and RDTSC", () => {
    const r = runAsm("xor eax, eax\ncpuid\nmov esi, ebx\nmov edi, edx\nmov ebp, ecx\nmov eax, 1\ncpuid\nhlt");
    const s = Buffer.from(new Int32Array([r.cpu.regs[6], r.cpu.regs[7], r.cpu.regs[5]]).buffer).toString();
    expect(s).toBe("GenuineIntel");
    expect(r.cpu.regs[0]).toBe(0x619); // family 6 model 1 stepping 9
    expect((r.cpu.regs[2] >>> 0).toString(2)).toBe((1 << 15 | 1 << 8 | 1 << 4 | 1 << 3 | 1).toString(2)); // CMOV CX8 TSC PSE FPU
    const t2 = runAsm("rdtsc\nmov ebx, eax\nnop\nrdtsc\nsub eax, ebx\nhlt");
    expect(t2.cpu.regs[0]).toBeGreaterThan(0);
  });
  t("STI shadow, HLT woken by an interrupt (real mode IVT)", () => {
    const cpu = makeCpu(asm("sti\nhlt\nhlt", 16, 0x1000), { real: true });
    cpu.mem.writeBytes(0x2000, asm("mov bx, 1\niret", 16, 0x2000));
    cpu.mem.write16(0x20 * 4, 0x2000);
    cpu.mem.write16(0x20 * 4 + 2, 0);
    let pending = true;
    cpu.irq = { hasInterrupt: () => pending, acknowledge: () => ((pending = false), 0x20) };
    const r = run(cpu);
    expect(r.stop).toBe(Stop.Halted);
    expect(cpu.regs[3]).toBe(1);
    expect(cpu.eip).toBe(0x1003);
  });
});
