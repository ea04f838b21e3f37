// The decoded-instruction cache (icache.ts, decode.ts, dispatch.ts): runs with and
// without it agree exactly (registers, flags, memory, guest cycles); writes to cached
// code through any path (the executing page, an alias mapping, a page-crossing
// instruction, the host) take effect at the next instruction; records survive and
// stay correct across CR3 loads, code-size changes and table eviction.
import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run, withDataSegments } from "./setup.ts";
import { PD, PT, identityPaging } from "../support/paged-cpu.ts";
import { outcome, type Outcome } from "../support/cpu-outcome.ts";
import { CPU, S } from "../../emulator/cpu/cpu.ts";
import { IC_TABLES } from "../../emulator/cpu/icache.ts";

const t = NASM ? it : it.skip;
const PT2 = 0x12000; // maps 4..8 MiB

/** `code` on a CPU with the first 4 MiB identity-mapped (supervisor, RW), paging on, WP off. */
const paged = (code: Uint8Array): CPU => identityPaging(makeCpu(code), { wp: false });

/** Runs `code` twice, with and without the cache; returns both outcomes. */
function both(make: () => CPU, lo = 0x8000, hi = 0x9000): [Outcome, Outcome] {
  const a = make();
  const ra = run(a);
  const b = make();
  b.useDecodedCache = false;
  const rb = run(b);
  return [outcome(a, ra.exception, lo, hi), outcome(b, rb.exception, lo, hi)];
}

const MIXED = `
  mov esi, 0x8000
  mov ecx, 300
  xor eax, eax
  mov edx, 0x12345
.l:
  mov ebx, ecx
  and ebx, 0x3f
  mov edi, [esi+ebx*4]
  add edi, ecx
  xor edi, eax
  mov [esi+ebx*4], edi
  add eax, edi
  sub eax, 5
  or eax, 0x10
  adc edx, eax
  sbb edx, 3
  cmp ebx, 0x20
  jb .s
  sub eax, ebx
  inc edx
.s:
  push eax
  push 0x1234
  push -5
  pop ebx
  pop ebx
  pop ebx
  call f
  test eax, 1
  jz .e
  add edx, 3
.e:
  movzx ebx, byte [esi+ecx]
  movsx ebx, word [esi+ecx*2]
  movzx ebp, al
  movsx ebp, dx
  imul ebx, edx
  imul ebp, [esi+8]
  shl eax, 3
  shr edx, 1
  rol eax, cl
  sar ebx, 2
  rcl edx, 1
  shrd eax, edx, 3
  shld ebx, eax, 5
  shrd edx, ebx, cl
  shld eax, edx, cl
  mov [esi+ecx+0x400], al
  mov bl, [esi+ecx]
  mov bh, al
  add byte [esi+5], 7
  cmp byte [esi+6], 9
  sub [esi+ecx+0x500], dl
  adc byte [esi+ecx+0x501], 0x81
  sbb [esi+7], bl
  and byte [esi+8], 0xf7
  or [esi+ecx+0x502], al
  xor byte [esi+9], 0x5a
  cmp [esi+ecx], bl
  jl .b1
  add bl, [esi+10]
  sub bh, [esi+ecx]
  xor dh, al
.b1:
  cmp bl, [esi+ecx+1]
  jbe .b2
  or bh, 0x11
  adc al, bl
.b2:
  xor [esi+ecx*4+0x880], edx
  or dword [esi+56], 0x100
  adc [esi+60], eax
  sbb dword [esi+ecx*4+0x900], 3
  and [esi+64], ebx
  cmp al, 0x40
  add al, 3
  add dword [esi+ecx*4+0x800], eax
  cmp dword [esi+4], 100
  and dword [esi+12], 0xffff
  sub [esi+16], eax
  cmp [esi+20], ebx
  add ebx, [esi+24]
  cmp edx, [esi+28]
  test [esi+32], eax
  test edx, 0x100
  test ebx, ecx
  mov dword [esi+36], 0x5555
  lea ebx, [eax+edx*2+7]
  inc dword [esi+ecx*4+0x40]
  dec dword [esi+40]
  push dword [esi+ecx*4+0x100]
  pop edi
  test al, dl
  test [esi+ecx], bh
  test ch, 0x81
  test byte [esi+ecx+1], 0x41
  test dword [esi+44], 0x80000001
  not edi
  neg ebx
  mov bh, 0x5a
  mov byte [esi+ecx+0x600], 0xa5
  db 0xc6, 0xc2, 0x33 ; mov dl, 0x33 (C6 /0)
  mov ebp, ecx
  or ebp, 1
  push edx
  mul ebp
  imul ecx
  mov edx, 0
  div ebp
  cdq
  idiv ebp
  pop edx
  cmp ecx, 150
  cmovl edi, ecx
  cmovge ebx, [esi+ecx*4]
  setg dl
  setb bh
  mov dx, cx
  mov [esi+ecx*2+0x700], dx
  mov bp, [esi+ecx*2+0x6ff]
  mov [esi+0xfff], ax ; (the word crosses into the next page)
  mov ax, [esi+0xfff]
  xchg ax, ax
  mov edi, f
  call edi
  mov dword [esi+48], f
  call [esi+48]
  mov edi, .j1
  jmp edi
.j1:
  mov dword [esi+52], .j2
  mov ebx, 52
  jmp [esi+ebx]
.j2:
  db 0xff, 0xc3 ; inc ebx, group 5's encoding
  db 0xff, 0xcf ; dec edi
  cdq
  nop
  push ebp
  mov ebp, esp
  sub esp, 16
  leave
  mov ax, 0x1234
  add ax, cx
  setc bl
  dec ecx
  jnz .l
  hlt
f:
  lea eax, [eax+edx*2+1]
  ret 0
`;

describe("decoded-instruction cache", () => {
  t("cached and interpreted runs agree on registers, flags, memory and cycles", () => {
    const code = asm(MIXED);
    const [a, b] = both(() => makeCpu(code));
    expect(a.exception).toBe(-1);
    expect(a.instructions).toBeGreaterThan(300 * 60);
    expect(a).toEqual(b);
  });

  t("cached and interpreted runs agree with paging on (walk cycles included)", () => {
    const code = asm(MIXED);
    const [a, b] = both(() => paged(code));
    expect(a.exception).toBe(-1);
    expect(a).toEqual(b);
  });

  t("segment-override prefixes and the moffs forms read and write through the named segment", () => {
    // FS and GS are based at 0x100 and 0x200; every access goes through one of them
    // or the flat DS, so a record that lost its override would read another dword
    const src = `
  mov bx, 0x18
  mov fs, bx
  mov bx, 0x20
  mov gs, bx
  mov ecx, 200
  xor eax, eax
.l:
  add eax, [fs:0x7f00+ecx*4]
  mov edx, [gs:0x7e00+ecx*4]
  mov [fs:0x7f04+ecx*4], edx
  mov [0x8000], eax
  mov eax, [gs:0x7e08]
  mov [fs:0x7f0c], eax
  mov eax, [0x8000]
  sub eax, [gs:0x7e10]
  mov [es:0x8014], ax
  mov bx, [ss:0x8018]
  movzx edx, byte [fs:0x7f1c]
  push dword [gs:0x7e20]
  pop edi
  add eax, edi
  dec ecx
  jnz .l
  hlt
`;
    const make = (): CPU => {
      const cpu = withDataSegments(makeCpu(asm(src)), 0x100, 0x200);
      for (let i = 0; i < 0x400; i += 4) cpu.mem.write32(0x8000 + i, (i * 0x01010101 + 0x9e3779b9) | 0);
      return cpu;
    };
    const [a, b] = both(make);
    expect(a.exception).toBe(-1);
    expect(a).toEqual(b);
  });

  t("a fault in cached code restarts the instruction with the same state", () => {
    const code = asm(`
      mov esi, 0x8000
      mov ecx, 5
      push ecx
      mov eax, [esi + 0x3000]   ; page 0xb000 is not present
      hlt`);
    const make = () => {
      const cpu = paged(code);
      cpu.mem.write32(PT + 0xb * 4, 0);
      return cpu;
    };
    const [a, b] = both(make);
    expect(a.exception).toBe(14);
    expect(a.eip).toBe(0x1000 + 11);
    expect(a.regs[4]).toBe(0x3ff000 - 4);
    expect(a).toEqual(b);
  });

  t("a write through an alias mapping changes the cached code it maps", () => {
    const code = asm(`
      mov ecx, 3
      xor ebx, ebx
    .l:
      call f
      add ebx, eax
      mov [0x400000 + (f - 0x2000) + 1], cl
      dec ecx
      jnz .l
      hlt
      times 0x1000 - ($ - $$) db 0x90
    f:
      mov eax, 100
      ret`);
    const cpu = paged(code);
    cpu.mem.write32(PD + 4, PT2 | 3);
    cpu.mem.write32(PT2, 0x2000 | 3); // linear 0x400000 -> physical 0x2000 (f's page)
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[3]).toBe(100 + 3 + 2);
  });

  t("a write to the next instruction on the executing page is seen", () => {
    const code = asm(`
      mov ecx, 2
      xor ebx, ebx
    .l:
      mov [.p + 1], cl
    .p:
      mov eax, 7
      add ebx, eax
      dec ecx
      jnz .l
      hlt`);
    const cpu = makeCpu(code);
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[3]).toBe(2 + 1);
  });

  t("an instruction straddling two pages is re-read after its second half changes", () => {
    const code = asm(`
      call f
      mov ebx, eax
      mov byte [f + 3], 0x99
      call f
      hlt
      times 0xffe - ($ - $$) db 0x90
    f:
      mov eax, 0x11223344
      ret`);
    const cpu = paged(code);
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[3]).toBe(0x11223344);
    expect(cpu.regs[0]).toBe(0x11993344);
  });

  t("host writes through PhysicalMemory invalidate cached code", () => {
    const code = asm(`
      call f
      hlt
    f:
      mov eax, 5
      ret`);
    const cpu = makeCpu(code);
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[0]).toBe(5);
    cpu.mem.write8(0x1000 + 6 + 1, 9); // the immediate of `mov eax, 5`
    cpu.eip = 0x1000;
    cpu.halted = false;
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[0]).toBe(9);
  });

  t("records are physical: a CR3 load switches to the other address space's code", () => {
    const code = asm(`
      call 0x3000
      mov ebx, eax
      mov eax, 0x20000
      mov cr3, eax
      call 0x3000
      hlt`);
    const cpu = paged(code);
    const m = cpu.mem;
    m.writeBytes(0x5000, Uint8Array.of(0xb8, 1, 0, 0, 0, 0xc3)); // mov eax, 1; ret
    m.writeBytes(0x6000, Uint8Array.of(0xb8, 2, 0, 0, 0, 0xc3)); // mov eax, 2; ret
    m.write32(PT + 3 * 4, 0x5000 | 3);
    const PD2 = 0x20000;
    const PTB = 0x21000;
    m.write32(PD2, PTB | 3);
    for (let i = 0; i < 1024; i++) m.write32(PTB + i * 4, (i << 12) | 3);
    m.write32(PTB + 3 * 4, 0x6000 | 3);
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[3]).toBe(1);
    expect(cpu.regs[0]).toBe(2);
  });

  t("the same bytes decode again after a code-size change", () => {
    const cpu = makeCpu(Uint8Array.of(0xb8, 0x78, 0x56, 0x34, 0x12, 0xf4)); // mov eax, imm32; hlt
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[0]).toBe(0x12345678);
    cpu.segAttr[S.CS] &= ~0xc000; // 16-bit code: mov ax, 0x5678; xor al, 0x12; hlt
    cpu.onModeChange();
    cpu.eip = 0x1000;
    cpu.regs[0] = 0;
    cpu.halted = false;
    expect(run(cpu).exception).toBe(-1);
    expect(cpu.regs[0]).toBe(0x566a);
  });

  t("accesses that miss the fast path (unaligned, across a page, a page's first touch, a fault) run as interpreted", () => {
    // dispatch.ts: a miss before the instruction did anything leaves for the byte
    // interpreter, which runs the whole instruction again with its walk cycles
    const src = `
  mov esi, 0x8000
  mov edi, 0x100000
  mov ecx, 40
  xor eax, eax
  mov edx, 7
.l:
  mov [esi+1], edx
  add eax, [esi+1]
  mov ebx, [esi+ecx*4+2]
  xor eax, ebx
  mov [edi], eax
  add edx, [edi]
  movzx ebx, word [esi+0xfff]
  add eax, ebx
  mov [esi+0xfff], dx
  cmp eax, [esi+5]
  adc edx, 0
  add edi, 0x1000
  dec ecx
  jnz .l
  mov eax, [0x500000]
  hlt
`;
    const code = asm(src);
    const [a, b] = both(() => paged(code), 0x8000, 0x9004);
    expect(a.exception).toBe(14); // #PF at the last load
    expect(a.instructions).toBeGreaterThan(40 * 14);
    expect(a).toEqual(b);
  });

  it("more code pages than tables: eviction keeps results and cycles exact", () => {
    const pages = IC_TABLES + 40;
    const make = () => {
      const cpu = makeCpu(new Uint8Array(0));
      const m = cpu.mem;
      // start (0x1000): mov ecx, 3; then each page: inc eax; jmp next; the last: dec ecx; jnz first; hlt
      m.writeBytes(0x1000, Uint8Array.of(0xb9, 3, 0, 0, 0, 0xe9, 0xf6, 0x0f, 0, 0)); // jmp 0x2000
      for (let i = 0; i < pages; i++) {
        const at = 0x2000 + i * 0x1000;
        if (i < pages - 1) m.writeBytes(at, Uint8Array.of(0x40, 0xe9, 0xfa, 0x0f, 0, 0)); // jmp at+0x1000
        else {
          const dv = new DataView(new ArrayBuffer(4));
          dv.setInt32(0, 0x2000 - (at + 8), true); // jnz rel32 ends at at + 8
          m.writeBytes(at, Uint8Array.of(0x40, 0x49, 0x0f, 0x85, ...new Uint8Array(dv.buffer), 0xf4));
        }
      }
      return cpu;
    };
    const [a, b] = both(make);
    expect(a.exception).toBe(-1);
    expect(a.regs[0]).toBe(3 * pages);
    expect(a).toEqual(b);
  });
});
