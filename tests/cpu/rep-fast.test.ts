// The REP string fast path (strings.ts fastRun): every run is made twice, with the
// fast path and with the per-element loop only, and must agree exactly (registers,
// flags, EIP, guest cycles, instruction count, exception, CR2, all of RAM including
// the A/D bits in the page tables, the TLB). On top of that the cases check exact
// results: overlapping MOVS (pattern replication both ways), faults at a page
// boundary with the remaining count, self-modifying STOS, count 0, 16-bit addresses.
import { afterEach, describe, expect, it } from "vitest";
import { NASM, asm, makeCpu, run } from "./setup.ts";
import { PT, identityPaging } from "../support/paged-cpu.ts";
import { outcome } from "../support/cpu-outcome.ts";
import { CPU, S } from "../../emulator/cpu/cpu.ts";
import { setRepFastPath } from "../../emulator/cpu/strings.ts";
import { REP_MOVS } from "../../emulator/cpu/timing.ts";

const t = NASM ? it : it.skip;

/** Identity-maps the first 4 MiB (supervisor, RW; `pte` overrides single pages), enables paging with WP. */
const page = (cpu: CPU, pte: Record<number, number> = {}): CPU => identityPaging(cpu, { pte });

/**
 * Builds the CPU twice with `make`, runs it with and without the fast path and checks
 * that both agree exactly; returns the fast run's CPU and its exception (-1: HLT).
 */
function both(make: () => CPU): { cpu: CPU; exception: number } {
  setRepFastPath(false);
  const slow = make();
  const rs = run(slow);
  setRepFastPath(true);
  const fast = make();
  const rf = run(fast);
  const a = outcome(fast, rf.exception, 0, fast.ram.length, true);
  const b = outcome(slow, rs.exception, 0, slow.ram.length, true);
  expect({ ...a, mem: 0, tlb: 0 }).toEqual({ ...b, mem: 0, tlb: 0 });
  expect(a.mem.equals(b.mem)).toBe(true);
  expect(a.tlb!.equals(b.tlb!)).toBe(true);
  return { cpu: fast, exception: rf.exception };
}

/** Element-by-element MOVS on a byte array (the reference semantics). */
function refMovs(m: Uint8Array, src: number, dst: number, size: number, step: number, n: number): void {
  const tmp = new Uint8Array(size);
  for (let i = 0; i < n; i++, src += step, dst += step) {
    for (let k = 0; k < size; k++) tmp[k] = m[src + k];
    for (let k = 0; k < size; k++) m[dst + k] = tmp[k];
  }
}

afterEach(() => setRepFastPath(true));

describe("REP string fast path", () => {
  t("overlapping forward MOVSB replicates the pattern; cycles are cost per iteration", () => {
    const prog = (n: number) => asm(`
      mov esi, 0x3000
      mov edi, 0x3003
      mov ecx, ${n}
      rep movsb
      hlt`);
    const make = (n: number) => () => {
      const cpu = page(makeCpu(prog(n)));
      cpu.mem.writeBytes(0x3000, new Uint8Array([0x61, 0x62, 0x63]));
      return cpu;
    };
    const { cpu } = both(make(3000));
    for (let a = 0x3000; a < 0x3000 + 3003; a++) expect(cpu.mem.read8(a)).toBe(0x61 + ((a - 0x3000) % 3));
    expect(cpu.mem.read8(0x3000 + 3003)).toBe(0);
    expect(cpu.regs[1]).toBe(0);
    expect(cpu.regs[6]).toBe(0x3000 + 3000);
    expect(cpu.regs[7]).toBe(0x3003 + 3000);
    // one slice each (no re-execution), the same page walks: the difference is the iterations
    const { cpu: one } = both(make(1));
    const { cpu: many } = both(make(1000));
    expect(many.clock.cycles - one.clock.cycles).toBe(999 * REP_MOVS);
  });

  t("overlapping backward MOVSB (DF=1, destination below) replicates downwards", () => {
    const { cpu } = both(() => {
      const cpu = page(makeCpu(asm(`
        std
        mov esi, 0x3202
        mov edi, 0x31ff
        mov ecx, 0x1100
        rep movsb
        cld
        hlt`)));
      cpu.mem.writeBytes(0x3200, new Uint8Array([0x78, 0x79, 0x7a]));
      return cpu;
    });
    const lo = 0x31ff - 0x1100 + 1;
    for (let a = lo; a <= 0x3202; a++) expect(cpu.mem.read8(a)).toBe(0x78 + (((a - 0x3200) % 3) + 3) % 3);
    expect(cpu.mem.read8(lo - 1)).toBe(0);
    expect(cpu.regs[6]).toBe(0x3202 - 0x1100);
    expect(cpu.regs[7]).toBe(0x31ff - 0x1100);
  });

  t("MOVSD/MOVSW with partially overlapping elements match the element-by-element reference", () => {
    for (const [size, delta, df] of [[4, 1, 0], [4, 3, 0], [4, -1, 1], [4, -2, 1], [2, 1, 0], [2, -1, 1], [4, 5, 0], [4, -6, 1]]) {
      const n = 700;
      const src = df ? 0x5000 + 0x700 : 0x5000;
      const dst = src + delta;
      const init = new Uint8Array(0x2000);
      for (let i = 0; i < init.length; i++) init[i] = (i * 37 + 11) & 0xff;
      const { cpu } = both(() => {
        const cpu = page(makeCpu(asm(`
          ${df ? "std" : "cld"}
          mov esi, ${src}
          mov edi, ${dst}
          mov ecx, ${n}
          rep ${size === 4 ? "movsd" : "movsw"}
          cld
          hlt`)));
        cpu.mem.writeBytes(0x4000, init);
        return cpu;
      });
      const ref = init.slice();
      refMovs(ref, src - 0x4000, dst - 0x4000, size, df ? -size : size, n);
      expect(Array.from(cpu.mem.readBytes(0x4000, 0x2000))).toEqual(Array.from(ref));
    }
  });

  t("REP STOSD into a not-present page faults with the first page fully written", () => {
    const { cpu, exception } = both(() =>
      page(makeCpu(asm("mov edi, 0x5000\nmov eax, 0x11223344\nmov ecx, 0x500\nrep stosd\nhlt")), { 6: 0 }),
    );
    expect(exception).toBe(14);
    expect(cpu.cr2).toBe(0x6000);
    expect(cpu.regs[1]).toBe(0x100);
    expect(cpu.regs[7]).toBe(0x6000);
    expect(cpu.eip).toBe(0x1000 + 15);
    for (let a = 0x5000; a < 0x6000; a += 4) expect(cpu.mem.read32(a) >>> 0).toBe(0x11223344);
    expect(cpu.mem.read32(PT + 5 * 4) & 0x60).toBe(0x60); // A and D set by the first write
  });

  t("REP MOVSD into a not-present page faults with the remaining count (aligned and straddling)", () => {
    for (const [dst, done] of [[0x5800, 512], [0x5802, 511]]) {
      const { cpu, exception } = both(() => {
        const cpu = page(makeCpu(asm(`mov esi, 0x3000\nmov edi, ${dst}\nmov ecx, 600\nrep movsd\nhlt`)), { 6: 0 });
        for (let a = 0x3000; a < 0x4000; a += 4) cpu.mem.write32(a, a * 3 + 1);
        return cpu;
      });
      expect(exception).toBe(14);
      expect(cpu.cr2).toBe(0x6000);
      expect(cpu.regs[1]).toBe(600 - done);
      expect(cpu.regs[6]).toBe(0x3000 + done * 4);
      expect(cpu.regs[7]).toBe(dst + done * 4);
      for (let i = 0; i < done; i++) expect(cpu.mem.read32(dst + i * 4)).toBe((0x3000 + i * 4) * 3 + 1);
      expect(cpu.mem.read16(dst + done * 4)).toBe(0); // the straddling element wrote nothing
    }
  });

  t("backward REP STOSD and MOVSB fault entering a not-present page below", () => {
    const r1 = both(() =>
      page(makeCpu(asm("std\nmov edi, 0x7008\nmov eax, -1\nmov ecx, 10\nrep stosd\nhlt")), { 6: 0 }),
    );
    expect(r1.exception).toBe(14);
    expect(r1.cpu.cr2).toBe(0x6ffc);
    expect(r1.cpu.regs[1]).toBe(7);
    expect(r1.cpu.regs[7]).toBe(0x6ffc);
    expect(r1.cpu.mem.read32(0x7000)).toBe(-1);
    const r2 = both(() =>
      page(makeCpu(asm("std\nmov esi, 0x7100\nmov edi, 0x3100\nmov ecx, 0x200\nrep movsb\nhlt")), { 7: 0 }),
    );
    expect(r2.exception).toBe(14);
    expect(r2.cpu.cr2).toBe(0x7100);
    expect(r2.cpu.regs[1]).toBe(0x200);
  });

  t("REP STOS over executed code: the next execution sees the new code", () => {
    const { cpu } = both(() =>
      page(makeCpu(asm(`
        xor edx, edx
        call 0x2000
        call 0x2000
        mov edi, 0x2000
        mov al, 0x40          ; inc eax
        mov ecx, 16
        rep stosb
        call 0x2000
        mov ebp, eax
        mov edi, patch
        mov al, 0x90          ; nop over the code right after this instruction
        mov ecx, 4
        rep stosb
      patch:
        inc edx
        inc edx
        inc edx
        inc edx
        hlt
        times 0x1000 - ($ - $$) db 0
        inc ebx
        times 15 nop
        ret`))),
    );
    expect(cpu.regs[3]).toBe(2);
    expect(cpu.regs[5]).toBe(0x40 + 16);
    expect(cpu.regs[2]).toBe(0);
  });

  t("count 0 does nothing; REP STOS/LODS/SCAS/CMPS agree with the element loop", () => {
    const { cpu } = both(() =>
      page(makeCpu(asm(`
        mov esi, 0x3000
        mov edi, 0x4000
        xor ecx, ecx
        rep movsd
        rep stosb
        repe cmpsb
        rep lodsb
        repne scasd
        lea ebx, [esi + edi]
        mov edi, 0x4000
        mov eax, 0x41414141
        mov ecx, 3000
        rep stosw
        mov esi, 0x4000
        mov ecx, 1500
        rep lodsd
        mov edx, esi
        mov edi, 0x4000
        mov ecx, 9000
        repe scasb
        mov ebp, ecx
        hlt`))),
    );
    expect(cpu.regs[3]).toBe(0x7000);
    expect(cpu.regs[2]).toBe(0x4000 + 6000);
    expect(cpu.regs[0]).toBe(0x41414141);
    expect(cpu.regs[5]).toBe(9000 - 6001);
    expect(cpu.regs[7]).toBe(0x4000 + 6001);
  });

  t("16-bit address size uses SI/DI/CX with 16-bit wrap-around", () => {
    const { cpu } = both(() => {
      const cpu = page(makeCpu(asm(`
        mov esi, 0x1234fff0
        mov edi, 0x5678fff8
        mov ecx, 0xabcd0020
        a16 rep movsb
        hlt`)));
      cpu.segBase[S.DS] = 0x20000;
      cpu.segBase[S.ES] = 0x40000;
      for (let i = 0; i < 0x10000; i++) cpu.mem.write8(0x20000 + i, i & 0xff);
      return cpu;
    });
    expect(cpu.regs[1] >>> 0).toBe(0xabcd0000);
    expect(cpu.regs[6] >>> 0).toBe(0x12340010);
    expect(cpu.regs[7] >>> 0).toBe(0x56780018);
    expect(cpu.mem.read8(0x4fff8)).toBe(0xf0);
    expect(cpu.mem.read8(0x40000)).toBe(0xf8);
    expect(cpu.mem.read8(0x40017)).toBe(0x0f);
  });

  t("a segment limit inside the run stops the chunk; the element loop raises #GP", () => {
    const { cpu, exception } = both(() => {
      const cpu = page(makeCpu(asm("mov edi, 0x5000\nmov ecx, 0x800\nrep stosd\nhlt")));
      cpu.segLimit[S.ES] = 0x5101;
      return cpu;
    });
    expect(exception).toBe(13);
    expect(cpu.regs[7]).toBe(0x5100);
    expect(cpu.regs[1]).toBe(0x800 - 0x40);
  });

  t("random REP string runs agree with the element loop (sizes, directions, pages, limits, faults)", () => {
    let seed = 0x2545f491;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const pick = <T>(a: T[]) => a[rnd(a.length)];
    const ops = ["movs", "stos", "lods", "scas", "cmps"];
    const sizes = ["b", "w", "d"];
    const code = new Map<string, Uint8Array>();
    for (let i = 0; i < 64; i++) {
      const op = pick(ops);
      const sz = pick(sizes);
      const rep = op === "scas" || op === "cmps" ? pick(["repe", "repne"]) : "rep";
      const src = `${rep} ${op}${sz}\nhlt`;
      if (!code.has(src)) code.set(src, asm(src));
      const bin = code.get(src)!;
      const offs = [0, 1, 2, 3, 0x7fe, 0xffc, 0xffd, 0xffe, 0xfff, rnd(4096)];
      const esi = 0x20000 + rnd(8) * 0x1000 + pick(offs);
      const edi = 0x20000 + rnd(8) * 0x1000 + pick(offs);
      const ecx = pick([0, 1, 2, 3, 1023, 1024, 1025, 2049, 5000, rnd(9000)]);
      const df = rnd(2) === 1;
      const eax = pick([0x41414141, 0x41414141, rnd(256) * 0x01010101, rnd(0x7fffffff)]);
      const pte: Record<number, number> = {};
      for (let p = 0x20; p < 0x28; p++) pte[p] = (p << 12) | pick([3, 3, 3, 0x63, 0x23, 1, 0]);
      const dsBase = pick([0, 0, 0x10, 0x1003]);
      const dsLim = pick([-1, -1, esi - dsBase + rnd(0x3000) - 0x1000]);
      const esLim = pick([-1, -1, edi + rnd(0x3000) - 0x1000]);
      const pokes: number[] = [];
      for (let k = 0; k < 12; k++) pokes.push(0x20000 + rnd(0x8000), rnd(256));
      both(() => {
        const cpu = page(makeCpu(bin, { ram: 1 << 20 }), pte);
        const m = cpu.mem;
        m.ram.fill(0x41, 0x1f000, 0x29000);
        for (let k = 0; k < pokes.length; k += 2) m.write8(pokes[k], pokes[k + 1]);
        cpu.regs[0] = eax;
        cpu.regs[1] = ecx;
        cpu.regs[6] = esi - dsBase;
        cpu.regs[7] = edi;
        cpu.segBase[S.DS] = dsBase;
        cpu.segLimit[S.DS] = dsLim;
        cpu.segLimit[S.ES] = esLim;
        if (df) cpu.setEflags(cpu.getEflags() | 0x400);
        return cpu;
      });
    }
  });
});
