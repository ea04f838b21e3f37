// The block compiler (jit.ts): a run with compiled regions ends in exactly the state of
// a run through the interpreter alone (registers, flags, EIP, memory, guest cycles,
// instructions, the exception that stopped it), and stops at the same instruction for
// every cycle budget. Each program loops far past the threshold (HOT) so its hot entries are
// compiled, then does what a region must get right: faults inside a region, writes to
// the code it is running (including the next instruction), a budget that ends between
// any two instructions, and a segment or linear address that changed since compiling.
import { describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run, withDataSegments } from "./setup.ts";
import { PT, identityPaging } from "../support/paged-cpu.ts";
import { outcome, type Outcome } from "../support/cpu-outcome.ts";
import { CPU, Stop } from "../../emulator/cpu/cpu.ts";

const t = NASM ? it : it.skip;
/** Entries before compiling in these tests: low, so that loops of a few hundred passes compile. */
const HOT = 16;

const state = (cpu: CPU, exception: number): Outcome => outcome(cpu, exception, 0x1000, 0x9000);

/**
 * `make()` run to its end with the compiler and without (the decoded-instruction cache
 * alone); both states, and how many regions it compiled. Expects the byte interpreter
 * (no cache) to end in the same state too, and so the compiler with regions that run
 * whole from their first run (no short first runs: jit.ts youngRun), and counts run
 * compiled (ICache.compiledRetired) only where regions were compiled; returns their share
 * of the instructions.
 */
function both(make: () => CPU): { jit: Outcome; interp: Outcome; regions: number; compiledShare: number } {
  const a = make();
  a.useJit = true;
  a.jitThreshold = HOT;
  a.jitWarmup = 0;
  const ra = run(a);
  const w = make();
  w.useJit = true;
  w.jitThreshold = HOT;
  w.jitWarmup = 0;
  w.jitYoungRuns = 0;
  const rw = run(w);
  expect(state(w, rw.exception)).toEqual(state(a, ra.exception));
  const b = make();
  b.useJit = false;
  const rb = run(b);
  const z = make();
  z.useJit = false;
  z.useDecodedCache = false;
  const rz = run(z);
  expect(state(z, rz.exception)).toEqual(state(b, rb.exception));
  const regions = a.icache.compiledRegions;
  expect(b.icache.compiledRetired).toBe(0);
  if (regions === 0) expect(a.icache.compiledRetired).toBe(0);
  expect(a.icache.compiledRetired).toBeLessThanOrEqual(a.instructions);
  return { jit: state(a, ra.exception), interp: state(b, rb.exception), regions, compiledShare: a.icache.compiledRetired / a.instructions };
}

/** The registers, EIP and counters (the state compared after every slice). */
const light = (cpu: CPU): number[] => [...cpu.regs, cpu.getEflags(), cpu.eip, cpu.clock.cycles, cpu.instructions];

/** Runs both modes in lockstep slices of `step` cycles; expects equal states after every slice. */
function lockstep(make: () => CPU, step: number): number {
  const a = make();
  a.useJit = true;
  a.jitThreshold = HOT;
  a.jitWarmup = 0;
  const b = make();
  b.useJit = false;
  let slices = 0;
  for (;;) {
    a.lastException = -1;
    b.lastException = -1;
    const sa = a.run(a.clock.cycles + step);
    const sb = b.run(b.clock.cycles + step);
    const la = light(a);
    const lb = light(b);
    if (la.some((v, i) => v !== lb[i]) || sa !== sb) expect([...la, sa], `after slice ${slices}`).toEqual([...lb, sb]);
    slices++;
    if (sa !== Stop.Budget) {
      expect(state(a, a.lastException)).toEqual(state(b, b.lastException));
      return slices;
    }
  }
}

// The integer loop of bench/kernels/src/int.asm, shortened: ALU, a table in memory, taken
// and untaken branches, a call/ret inside the region.
const LOOP = `
  mov ecx, 300
  xor eax, eax
  mov esi, 0x8000
  xor edx, edx
  mov dword [esi+0x404], func
.outer:
  mov ebx, ecx
  and ebx, 0xff
  mov edi, [esi+ebx*4]
  add edi, ecx
  xor edi, eax
  mov [esi+ebx*4], edi
  add eax, edi
  cmp ebx, 0x80
  jb .skip
  sub eax, ebx
  inc edx
.skip:
  call func
  mov edi, func
  call edi
  call [esi+0x404]
  test eax, 1
  jz .even
  add edx, 3
  shl edx, 1
  movzx ebp, dl
  mov [esi+0x400], dl
  test byte [esi+0x400], 4
  jnz .even
  neg edx
  mov edi, .even
  jmp edi
.even:
  dec ecx
  jnz .outer
  hlt
func:
  lea eax, [eax+edx*2+1]
  push eax
  pop ebx
  ret
`;

describe("block compiler", () => {
  t("a hot loop gives the interpreter's state and compiles regions", () => {
    const r = both(() => makeCpu(asm(LOOP)));
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.exception).toBe(-1);
    expect(r.regions).toBeGreaterThan(0);
    // 300 passes, the first HOT of each entry interpreted
    expect(r.compiledShare).toBeGreaterThan(0.8);
  });

  t("a newly compiled region makes its first runs short (youngRun), and they count down", () => {
    // the short runs left of each region held at the end, with `young` of them at first
    // (at the slot where it is entered most: a region is held at each of its cases)
    const left = (young: number, passes: number): number[] => {
      // (a constant of its own in the loop: regions no other run compiled, so new functions)
      const code = asm(LOOP.replace("mov ecx, 300", `mov ecx, ${passes}`).replace("xor edi, eax", `xor edi, eax\nor ebp, ${young}`));
      const a = makeCpu(code);
      a.useJit = true;
      a.jitThreshold = HOT;
      a.jitWarmup = 0;
      a.jitYoungRuns = young;
      const b = makeCpu(code);
      b.useJit = false;
      expect(state(a, run(a).exception)).toEqual(state(b, run(b).exception));
      const least = new Map<unknown, number>();
      for (const rt of a.icache.regions) {
        for (let o = 0; rt !== null && o < 4096; o++) {
          if (rt.fn[o] !== null) least.set(rt.fn[o], Math.min(least.get(rt.fn[o]) ?? young, rt.young[o]));
        }
      }
      return [...least.values()];
    };
    // 299 passes make a region's first 5 short runs; 40 passes not its first 250
    const few = left(5, 299);
    expect(few.length).toBeGreaterThan(0);
    expect(few.every((y) => y === 0)).toBe(true);
    expect(left(250, 40).some((y) => y > 0)).toBe(true);
  });

  t("a region another CPU compiled for the same code is taken at the first threshold, before the warm-up ends", () => {
    // (a constant of its own in the loop and its function: regions no other test compiled)
    const code = asm(LOOP.replace("xor edi, eax", "xor edi, eax\nor ebp, 77").replace("push eax", "push eax\nor ebp, 78"));
    const warming = (): { cpu: CPU; exception: number } => {
      const cpu = makeCpu(code);
      cpu.useJit = true;
      cpu.jitThreshold = HOT;
      cpu.jitWarmup = 1e9;
      return { cpu, exception: run(cpu).exception };
    };
    // the first waits out its deferrals at each entry (jit.ts WARM_DEFERRALS) before
    // compiling; the second finds the same regions compiled
    const first = warming();
    const second = warming();
    const b = makeCpu(code);
    b.useJit = false;
    const interp = state(b, run(b).exception);
    expect(state(first.cpu, first.exception)).toEqual(interp);
    expect(state(second.cpu, second.exception)).toEqual(interp);
    expect(first.cpu.icache.compiledRetired / first.cpu.instructions).toBeLessThan(0.4);
    expect(second.cpu.icache.compiledRetired / second.cpu.instructions).toBeGreaterThan(0.8);
  });

  t("where new Function is refused (a Content-Security-Policy without 'unsafe-eval'), the CPU interprets on", () => {
    const src = LOOP.replace("and ebx, 0xff", "and ebx, 0xfe"); // (regions no other test compiles)
    const a = makeCpu(asm(src));
    a.useJit = true;
    a.jitThreshold = HOT;
    a.jitWarmup = 0;
    const real = globalThis.Function;
    globalThis.Function = function refused() {
      throw new EvalError("Code generation from strings disallowed for this context");
    } as unknown as FunctionConstructor;
    let ra: ReturnType<typeof run>;
    try {
      ra = run(a);
    } finally {
      globalThis.Function = real;
    }
    const b = makeCpu(asm(src));
    b.useJit = false;
    const rb = run(b);
    expect(a.useJit).toBe(false);
    expect(a.icache.compiledRegions).toBe(0);
    expect(state(a, ra.exception)).toEqual(state(b, rb.exception));
  });

  t("byte ALU forms (register and memory, every operation) compile exactly", () => {
    const src = `
  mov ecx, 300
  mov esi, 0x8000
  mov eax, 0x12345678
  mov edx, 0x9abcdef0
.l:
  add al, cl
  or  ah, dl
  adc dh, al
  sbb bl, ch
  and bh, 0xf7
  sub dl, bh
  xor cl, ah
  cmp al, dh
  sbb ch, 0x33
  test al, 0x5a
  std
  adc bl, 0x81
  cld
  cmp dh, 0x80
  add [esi+ecx], al
  or  [esi+ecx+1], ah
  adc [esi+ecx+2], dl
  sbb [esi+ecx+3], dh
  and [esi+ecx+4], bl
  sub [esi+ecx+5], bh
  xor [esi+ecx+6], cl
  cmp [esi+ecx+7], ch
  add al, [esi+ecx+8]
  or  ah, [esi+ecx+9]
  adc dl, [esi+ecx+10]
  sbb dh, [esi+ecx+11]
  and bl, [esi+ecx+12]
  sub bh, [esi+ecx+13]
  xor ch, [esi+ecx+14]
  cmp cl, [esi+ecx+15]
  movzx edi, byte [esi+ecx]
  movsx ebp, word [esi+ecx+1]
  mov [esi+ecx+16], dl
  mov bl, [esi+ecx+17]
  add eax, edi
  add edx, ebp
  dec ecx
  jnz .l
  hlt
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.regions).toBeGreaterThan(0);
  });

  t("every cycle budget stops at the interpreter's instruction", () => {
    for (const step of [1, 2, 3, 7, 13, 64, 997]) expect(lockstep(() => makeCpu(asm(LOOP)), step)).toBeGreaterThan(1);
  });

  t("a page fault in the middle of a region restarts the faulting instruction", () => {
    // the loop walks a pointer up through mapped pages until it reaches an unmapped one
    const src = `
  mov esi, 0x7000
  mov ecx, 0
.l:
  add ecx, 1
  mov eax, [esi]
  add eax, ecx
  mov [esi], eax
  add esi, 16
  cmp ecx, 1000
  jne .l
  hlt
`;
    const make = (): CPU => identityPaging(makeCpu(asm(src)), { pte: { 0xa: 0 }, wp: false });
    const r = both(make);
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.exception).toBe(14);
    expect(r.jit.eip).toBe(0x1000 + 13); // mov eax, [esi]
    expect(r.jit.regs[6]).toBe(0xa000);
    expect(r.regions).toBeGreaterThan(0);
    expect(lockstep(make, 5)).toBeGreaterThan(1);
  });

  t("a page fault in a region entered from another region counts both regions' instructions", () => {
    // each half of the loop leaves its region by an indirect jump to the other's entry (a
    // target its region has no label for); the second faults when the pointer reaches
    // the unmapped page: the instructions of the regions run before it must still count
    const src = `
  mov esi, 0x7000
  mov ecx, 0
.l:
  add ecx, 1
  add ebx, ecx
  xor ebx, 0x5a5a
  lea edx, [ebx+ecx*2]
  rol edx, 3
  mov edi, .second
  jmp edi
.second:
  add [esi], ecx
  add esi, 16
  cmp ecx, 1000
  je .done
  mov edi, .l
  jmp edi
.done:
  hlt
`;
    const make = (): CPU => identityPaging(makeCpu(asm(src)), { pte: { 0xa: 0 }, wp: false });
    const r = both(make);
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.exception).toBe(14);
    expect(r.jit.regs[6]).toBe(0xa000);
    expect(r.regions).toBe(2);
  });

  t("regions that call and return across pages run on from one to the next, and a call to an unmapped page faults there", () => {
    // the loop (page 1) calls a function on page 2 and one on page 3 through registers;
    // on its last pass the second call goes to an unmapped page instead
    const src = `
  mov ecx, 600
  xor eax, eax
  mov ebp, f3
.l:
  mov edx, ecx
  call f2
  add eax, edx
  cmp ecx, 1
  jne .call
  mov ebp, 0xa000
.call:
  call ebp
  xor eax, ecx
  dec ecx
  jnz .l
  hlt
  align 4096
f2:
  lea edx, [edx*4+eax]
  rol edx, 5
  xor edx, 0x1234
  sub edx, ecx
  add edx, 7
  ret
  align 4096
f3:
  imul eax, eax, 3
  add eax, edx
  shr eax, 1
  xor eax, 0x55aa
  or eax, 1
  ret
`;
    const make = (): CPU => identityPaging(makeCpu(asm(src)), { pte: { 0xa: 0 }, wp: false });
    const r = both(make);
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.exception).toBe(14);
    expect(r.jit.eip).toBe(0xa000);
    expect(r.regions).toBeGreaterThan(2);
    for (const step of [3, 17, 200]) expect(lockstep(make, step)).toBeGreaterThan(1);
  });

  t("a call of a PC thunk on another page runs in the region while the thunk is there, and leaves when it changed or is unmapped", () => {
    // the loop (page 1) calls two PC thunks (mov r32, [esp]; ret) on page 2, one at an
    // aligned address and one not; then (`change`) at pass 100 it rewrites the second's
    // register, and (`unmap`) on its last but one pass it unmaps page 2, so the next
    // call faults there
    const src = (change: boolean, unmap: boolean): string => `
  mov ecx, 400
  xor eax, eax
  xor edi, edi
  xor ebp, ebp
.l:
  call thunk_bx
  add eax, ebx
  call thunk_si
  xor edi, esi
  add edi, ebp
${change ? `  cmp ecx, 100
  jne .same
  mov byte [thunk_si + 1], 0x2c ; mov ebp, [esp]
.same:` : ""}
${unmap ? `  cmp ecx, 2
  jne .mapped
  mov dword [${PT} + 4 * ((thunk_bx - $$ + 0x1000) >> 12)], 0 ; (org 0x1000)
  invlpg [thunk_bx]
.mapped:` : ""}
  dec ecx
  jnz .l
  hlt
  align 4096
thunk_bx:
  mov ebx, [esp]
  ret
  nop
thunk_si:
  mov esi, [esp]
  ret
`;
    for (const [change, unmap] of [[false, false], [true, false], [true, true]]) {
      const make = (): CPU => identityPaging(makeCpu(asm(src(change, unmap))), { wp: false });
      const r = both(make);
      expect(r.jit).toEqual(r.interp);
      expect(r.jit.exception).toBe(unmap ? 14 : -1);
      // (the thunks run inside the loop's region: they are not entered often enough to compile)
      if (!change) expect(r.regions).toBe(1);
      expect(r.compiledShare).toBeGreaterThan(0.8);
      for (const step of [2, 7, 31]) expect(lockstep(make, step)).toBeGreaterThan(1);
    }
  });

  t("a write to the running region's next instruction takes effect at once", () => {
    // a hot loop whose store goes to a data page, except on the pass with ecx = 100,
    // where it rewrites the immediate of the add that follows it
    const src = `
  mov ecx, 500
  xor eax, eax
  mov ebx, 7
.l:
  mov edi, ecx
  sub edi, 100
  neg edi
  sbb edi, edi
  and edi, 0x8000 - (patch + 1)
  add edi, patch + 1
  mov [edi], ebx
patch:
  add eax, 0x11111111
  dec ecx
  jnz .l
  hlt
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.regs[0]).toBe((Math.imul(400, 0x11111111) + 100 * 7) | 0);
    expect(r.regions).toBeGreaterThan(0);
    expect(lockstep(() => makeCpu(asm(src)), 11)).toBeGreaterThan(1);
  });

  t("a shift or rotate whose flags the next instruction overwrites gives the interpreter's state", () => {
    // sha256-like mixing: each shift, by an immediate or by CL (0 to 31 as ECX counts
    // down), is followed by an ALU op that sets every flag (the region computes the
    // shift's value alone), with flags read in between elsewhere (PUSHFD, ADC, Jcc) so
    // that a wrong record would show
    const src = `
  mov ecx, ${HOT * 8}
  mov eax, 0x6a09e667
  mov esi, 0xbb67ae85
.l:
  mov edx, eax
  ror edx, 6
  mov ebx, eax
  ror ebx, 11
  xor edx, ebx
  rol eax, 7
  add eax, edx
  shr ebx, 3
  sub ebx, ecx
  sar edx, 2
  and edx, ebx
  shl esi, 1
  adc esi, edx
  pushfd
  pop edi
  xor esi, edi
  shl ebx, 5
  cmp ebx, eax
  jb .s
  add eax, 0x9e3779b9
.s:
  shr edx, 31
  test edx, ecx
  jnz .t
  inc esi
.t:
  mov ebp, eax
  shl ebp, cl
  xor esi, ebp
  shr ebp, cl
  add edi, ebp
  sar ebp, cl
  or edi, ebp
  rol ebp, cl
  sub esi, ebp
  ror ebp, cl
  xor esi, ebp
  pushfd
  pop ebp
  add esi, ebp
  dec ecx
  jnz .l
  hlt
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.regions).toBeGreaterThan(0);
    for (const step of [1, 5, 11, 37]) expect(lockstep(() => makeCpu(asm(src)), step)).toBeGreaterThan(1);
  });

  t("every condition after each flag setter of known operation gives the interpreter's value", () => {
    // jit.ts condExpr tests a condition on the operands of the instruction that set the
    // flags just before; each setter here is followed by all 16 SETcc (which leave the
    // record alone) over boundary operands, and INC/DEC take the carry of a CMP
    const values = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];
    const setters = [
      "add eax, ebx", "sub eax, ebx", "cmp eax, ebx", "cmp eax, 0x7fffffff", "cmp eax, [esi+4]", "cmp [esi], ebx",
      "cmp dword [esi], 0x80", "and eax, ebx", "or eax, ebx", "xor eax, ebx", "test eax, ebx", "test eax, 0x80000001",
      "test al, bl", "test bl, 0x81", "test byte [esi], 0x80", "test [esi], ebx", "test dword [esi], 0x80000000",
      "cmp ebx, eax\ninc eax", "cmp ebx, eax\ndec eax", "neg eax", "add eax, 1", "sub eax, -1",
      "cmp al, bl", "sub al, bl", "add bl, al", "xor al, bl", "cmp al, 0x80", "add al, 0x7f", "cmp byte [esi], bl",
      "cmp bl, [esi]", "cmp byte [esi], 0x81", "add [esi], bl", "sub byte [esi], 1", "and [esi], bl", "or byte [esi], 0x80",
      "add [esi], ebx", "sub dword [esi], 0x80000000", "xor [esi], ebx", "cmp ebx, eax\ninc dword [esi]",
      "cmp ebx, eax\ndec dword [esi]",
    ];
    const conds = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
    // one loop per setter and half of the conditions, each a region entered at its head
    // (the setter follows the head's label, so the region knows it); the outcomes go
    // into EDI, mixed into EBP; the table is walked twice, the second time compiled
    const loop = (op: string, ccs: string[], k: number): string => `
  mov esi, table
  mov ecx, ${2 * values.length ** 2}
.l${k}:
  xor edx, edx
  xor edi, edi
  mov eax, [esi]
  mov ebx, [esi+4]
  ${op}
  ${ccs.map((cc) => `set${cc} dl\n  lea edi, [edx+edi*2]`).join("\n  ")}
  rol ebp, 7
  xor ebp, edi
  add esi, 8
  dec ecx
  jnz .l${k}`;
    const src = `
  xor ebp, ebp
${setters.flatMap((op, i) => [loop(op, conds.slice(0, 8), 2 * i), loop(op, conds.slice(8), 2 * i + 1)]).join("\n")}
  hlt
align 4
table:
${[0, 1].flatMap(() => values.flatMap((a) => values.map((b) => `  dd ${a}, ${b}`))).join("\n")}
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.regions).toBeGreaterThan(0);
  });

  t("code without a loop compiles only after four times the threshold", () => {
    // a loop (a region with a back edge, compiled at HOT entries) calls a function on
    // another page, whose region has no loop: it waits 3 more thresholds (jit.ts
    // SHORT_DEFERRALS), so it is compiled on a run of 5 * HOT calls, not of 3 * HOT
    const src = (calls: number): string => `
  mov ecx, ${calls}
  xor eax, eax
.l:
  call func
  dec ecx
  jnz .l
  hlt
  times 0x2000 - ($ - $$) nop
func:
  add eax, ecx
  xor eax, 0x55
  ret
`;
    for (const [calls, regions] of [[3 * HOT, 1], [5 * HOT, 2]]) {
      const r = both(() => makeCpu(asm(src(calls))));
      expect(r.jit).toEqual(r.interp);
      expect(r.regions).toBe(regions);
    }
  });

  t("a divide error in a region faults at the DIV with the interpreter's registers and flags", () => {
    // the divisor counts down to 0: the last pass raises #DE inside a compiled region
    const src = `
  mov ecx, ${HOT * 4}
  xor esi, esi
.l:
  mov eax, ecx
  imul eax, eax
  xor edx, edx
  add esi, eax
  mov ebx, ecx
  dec ebx
  div ebx
  mul ecx
  add esi, edx
  dec ecx
  jnz .l
  hlt
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.exception).toBe(0);
    expect(r.regions).toBeGreaterThan(0);
  });

  t("instructions without a fast form run in place in a region, with a REP that faults part-way and one that rewrites the code", () => {
    // x87, a 16-bit operand, BSF, XCHG with memory, REP MOVSD and REP STOSB inside a hot
    // loop (inplace.ts). The MOVSD's destination moves up to the unmapped page at
    // 0xa000: on the pass with ecx = 2 it faults after three of its four dwords. The
    // STOSB writes to a data page, except on the pass with ecx = 100, where it rewrites
    // the low byte of the ADD's immediate just after it.
    const src = `
  mov ecx, 3000
  xor ebx, ebx
  xor eax, eax
  fninit
  fldz
.l:
  mov [0x8000], ecx
  fild dword [0x8000]
  faddp st1, st0
  mov dx, cx
  add dx, 0x7ff3
  bsf ebp, ecx
  xchg ebx, [0x8004]
  add ebx, ebp
  push ecx
  push eax
  mov edi, ecx
  shl edi, 2
  neg edi
  add edi, 0x9ffc
  mov esi, 0x8100
  mov ecx, 4
  rep movsd
  mov eax, [esp + 4]
  mov edi, eax
  sub edi, 100
  neg edi
  sbb edi, edi
  and edi, 0x8300 - (patch + 1)
  add edi, patch + 1
  mov ecx, 1
  mov al, 0x22
  rep stosb
  pop eax
  pop ecx
patch:
  add eax, 0x11111111
  dec ecx
  jnz .l
  hlt
`;
    const make = (): CPU => identityPaging(makeCpu(asm(src)), { pte: { 0xa: 0 }, wp: false });
    const r = both(make);
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.exception).toBe(14);
    expect(r.jit.regs[1]).toBe(1); // the faulting MOVSD's count, three dwords copied
    expect(r.jit.regs[7]).toBe(0xa000);
    expect(r.regions).toBeGreaterThan(0);
    // (with every instruction above left to the interpreter, under half would run compiled)
    expect(r.compiledShare).toBeGreaterThan(0.9);
    for (const step of [7, 13, 64]) expect(lockstep(make, step)).toBeGreaterThan(1);
  });

  t("FS/GS-relative accesses in a region follow a base that changes under it", () => {
    // halfway through, GS is reloaded with a segment based 0x100 higher (another thread's TLS)
    const src = `
  mov bx, 0x18
  mov gs, bx
  mov fs, bx
  mov ecx, ${HOT * 8}
  xor eax, eax
.l:
  add eax, [gs:0x7f00]
  mov edx, [fs:0x7f04]
  mov [gs:0x7f08], edx
  add eax, [gs:0x7f08]
  cmp ecx, ${HOT * 4}
  jne .same
  mov bx, 0x20
  mov gs, bx
.same:
  dec ecx
  jnz .l
  hlt
`;
    const make = (): CPU => {
      const cpu = withDataSegments(makeCpu(asm(src)), 0x100, 0x200);
      cpu.mem.write32(0x8000, 5);
      cpu.mem.write32(0x8004, 11);
      cpu.mem.write32(0x8100, 7);
      return cpu;
    };
    const r = both(make);
    expect(r.jit).toEqual(r.interp);
    expect(r.regions).toBeGreaterThan(0);
  });

  t("a region compiled for one data segment is not used with another", () => {
    // after HOT * 4 passes the loop loads DS with a base of 0x100 and goes on
    const src = `
  mov ecx, ${HOT * 8}
  xor eax, eax
.l:
  add eax, [0x8000]
  cmp ecx, ${HOT * 4}
  jne .same
  mov bx, 0x18
  mov ds, bx
.same:
  dec ecx
  jnz .l
  hlt
`;
    const make = (): CPU => {
      const cpu = withDataSegments(makeCpu(asm(src)), 0x100);
      cpu.mem.write32(0x8000, 5);
      cpu.mem.write32(0x8100, 7);
      return cpu;
    };
    const r = both(make);
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.regs[0]).toBe((HOT * 4 + 1) * 5 + (HOT * 4 - 1) * 7);
    expect(r.regions).toBeGreaterThan(0);
  });

  t("the same physical code mapped at a second linear address runs correctly there", () => {
    // the loop runs hot at 0x1000, then jumps to its alias at 0x400000 + 0x1000
    const src = `
  mov edx, 2
.again:
  mov ecx, 200
.l:
  add eax, ecx
  dec ecx
  jnz .l
  dec edx
  jz .done
  jmp 0x401000 + (.again - $$)
.done:
  hlt
`;
    const make = (): CPU => {
      const cpu = identityPaging(makeCpu(asm(src)), { wp: false });
      const pt2 = 0x12000;
      cpu.mem.write32(0x10000 + 4, pt2 | 3); // PDE 1: 4..8 MiB
      for (let i = 0; i < 1024; i++) cpu.mem.write32(pt2 + i * 4, (i << 12) | 3); // aliases 0..4 MiB
      return cpu;
    };
    const r = both(make);
    expect(r.jit).toEqual(r.interp);
    expect(r.jit.eip).toBeGreaterThan(0x400000);
    expect(r.jit.regs[0]).toBe(2 * (200 * 201) / 2);
  });

  t("a region entered above its lowest instruction stops where the interpreter does", () => {
    // the hot entry is .entry, a call target; its region takes in .low, below it, through
    // the backward JZ: the bound checked on entering must be the one from .entry (22
    // instructions without a check), not the one from .low (a RET)
    const src = `
  mov edi, ${HOT * 6}
  mov esi, 0x8000
  xor eax, eax
.outer:
  mov ecx, 2
  call .entry
  dec edi
  jnz .outer
  hlt
.low:
  ret
.entry:
${"  add [esi], eax\n".repeat(20)}  dec ecx
  jz .low
  jmp .entry
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.regions).toBeGreaterThan(0);
    for (const step of [5, 29, 50, 61, 97]) expect(lockstep(() => makeCpu(asm(src)), step)).toBeGreaterThan(1);
  });

  t("a region follows a call into a function that has a region of its own, so the return comes back inside it", () => {
    // func compiles first, entered through CALL EDI (a transfer no region follows); the
    // loop at .l, run after the HLT, compiles with the call, func and the return as one
    // region (entered at the return site, counted first), so once it has (by pass
    // HOT * 10), func's own region runs at most once more, where the run resumes
    const src = `
  mov dword [0x8000], func
  mov ecx, ${HOT * 4}
  mov edi, func
.warm:
  call edi
  dec ecx
  jnz .warm
  hlt
  mov ecx, ${HOT * 40}
.l:
  call func
  add eax, 1
  dec ecx
  jnz .l
  hlt
func:
  lea edx, [edx+eax*2+1]
  ret
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    const a = makeCpu(asm(src));
    a.useJit = true;
    a.jitThreshold = HOT;
    a.jitWarmup = 0;
    run(a);
    a.wake();
    run(a, HOT * 10 * 12);
    const off = a.mem.ram[0x8000] & 0xfff;
    const rt = a.icache.regions.find((t) => t !== null && t.fn[off] !== null)!;
    const f = rt.fn[off]!;
    let calls = 0;
    rt.fn[off] = (c) => {
      calls++;
      return f(c);
    };
    run(a);
    expect(a.regs[1]).toBe(0);
    expect(calls).toBeLessThan(2);
  });

  t("an arm that had not run when its region compiled is left out: taken later, it leaves there and compiles on its own", () => {
    // the loop compiles as a region entered at .skip, where the taken jb lands, and held
    // at .l too (its loop head, a case of it); the arm at .late first runs at pass HOT * 20,
    // long after, and from then on that region leaves at it on every pass: .late, entered
    // after each exit, compiles as a second region.
    const src = `
  xor ecx, ecx
  xor eax, eax
  xor edx, edx
.l:
  add ecx, 1
  cmp ecx, ${HOT * 20}
  jb .skip
.late:
  add eax, ecx
  xor eax, 0x55
.skip:
  add edx, ecx
  cmp ecx, ${HOT * 40}
  jne .l
  hlt
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.regions).toBe(2);
    for (const step of [1, 5, 17]) expect(lockstep(() => makeCpu(asm(src)), step)).toBeGreaterThan(1);
  });

  t("forward branches inside a region, nested and crossing, and a fall-through onto another region's entry", () => {
    // if/else chains whose targets nest and cross (some break out of blocks; the one that
    // crosses the return site of the call, a case, goes through the switch); the inner loop at .mid compiles before .top, whose
    // region falls through into it and so must leave at its backward jump to .mid (there
    // .mid is not a join point of .top's region: counts and known flags run on across it)
    const src = `
  mov ecx, ${HOT * 20}
  xor eax, eax
  xor edx, edx
.drive:
  call .top
  dec ecx
  jnz .drive
  hlt
.top:
  test ecx, 1
  jz .a
  add eax, 3
  call .f
  test ecx, 2
  jz .b
  add eax, 5
  jmp .c
.a:
  sub eax, 7
.b:
  test ecx, 4
  jnz .d
  add edx, eax
.c:
  xor edx, ecx
.d:
  inc edx
  mov ebx, 3
.mid:
  add eax, edx
  dec ebx
  jnz .mid
  ret
.f:
  lea eax, [eax+edx*2+1]
  ret
`;
    const r = both(() => makeCpu(asm(src)));
    expect(r.jit).toEqual(r.interp);
    expect(r.regions).toBeGreaterThan(1);
    for (const step of [1, 3, 7, 19]) expect(lockstep(() => makeCpu(asm(src)), step)).toBeGreaterThan(1);
  });
});
