/* Random-program group: a deterministic generator (same PRNG natively and in the
 * emulator) writes short random sequences of integer instructions into a writable code
 * buffer (the program is linked with -N), runs each from random register and flag values
 * and prints the registers, a hash of a 256-byte scratch area addressed through EBX, and
 * the flags (string operations, shifts by CL, div/idiv and bit scans appear with operands
 * that keep them defined and fault-free). The generator tracks which arithmetic flags each instruction leaves
 * undefined (per the manual), never emits an instruction that consumes an undefined flag,
 * and masks the still-undefined flags at the end, so results are fully defined. Every
 * line carries the code bytes, so a differing line is its own reproducer. */
#include "rt.h"

#define ALLF (CF | PF | AF | ZF | SF | OF)
static u8 code[4096] __attribute__((aligned(16)));
static u32 cl;
static u32 defined;
static u32 seed = 12345;
static u32 rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}
static void emit(u32 b) { code[cl++] = (u8)b; }
static void emit32(u32 v) { emit(v); emit(v >> 8); emit(v >> 16); emit(v >> 24); }

static const u8 r32s[] = {0, 1, 2, 5, 6, 7}; /* never EBX (scratch pointer) or ESP */
static const u8 r8s[] = {0, 1, 2, 4, 5, 6};  /* al cl dl ah ch dh: never bl/bh */
static u32 reg(u32 size) { return size == 8 ? r8s[rnd() % 6] : r32s[rnd() % 6]; }

/* ModRM with `regf` in the reg field; r/m a register (3 in 4) or [ebx+disp8]. */
static void rm(u32 regf, u32 size, u32 allow_mem) {
  if (allow_mem && (rnd() & 3) == 0) {
    emit(0x40 | (regf << 3) | 3);
    emit(rnd() % 60);
  } else {
    emit(0xc0 | (regf << 3) | reg(size));
  }
}
static u32 pick_size(void) {
  u32 r = rnd() % 10;
  return r < 6 ? 32 : r < 8 ? 16 : 8;
}
static void prefix(u32 size) { if (size == 16) emit(0x66); }
static void imm(u32 size) {
  u32 v = rnd();
  if ((v & 7) == 0) v = 0x80000000u >> (rnd() & 31);
  if ((v & 7) == 1) v = 0;
  if (size == 8) emit(v); else if (size == 16) { emit(v); emit(v >> 8); } else emit32(v);
}
static const u32 ccuse[16] = {OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF};

/* Emits one instruction; returns 0 (emitting nothing) when it would consume an undefined flag. */
static int gen(void) {
  u32 size = pick_size(), w = size != 8, k = rnd() % 30;
  switch (k) {
    case 0: case 1: case 2: { /* ALU r/m,r and r,r/m */
      u32 op = rnd() % 8, dir = rnd() & 1;
      if ((op == 2 || op == 3) && !(defined & CF)) return 0;
      prefix(size); emit((op << 3) | (dir << 1) | w); rm(reg(size), size, 1);
      defined = (op == 1 || op == 4 || op == 6) ? ALLF & ~AF : ALLF;
      return 1;
    }
    case 3: case 4: { /* ALU r/m,imm (80/81/83) and the accumulator forms */
      u32 op = rnd() % 8, form = rnd() % 3;
      if ((op == 2 || op == 3) && !(defined & CF)) return 0;
      prefix(size);
      if (form == 0) { emit((op << 3) | 4 | w); imm(size); }
      else if (form == 1 || size == 8) { emit(0x80 | w); rm(op, size, 1); imm(size); }
      else { emit(0x83); rm(op, size, 1); emit(rnd()); }
      defined = (op == 1 || op == 4 || op == 6) ? ALLF & ~AF : ALLF;
      return 1;
    }
    case 5: { /* inc/dec: CF unaffected */
      u32 dec = rnd() & 1;
      prefix(size);
      if (size != 8 && (rnd() & 1)) emit(0x40 | (dec << 3) | reg(size));
      else { emit(0xfe | w); rm(dec, size, 1); }
      defined |= ALLF & ~CF;
      return 1;
    }
    case 6: { /* not / neg / test imm */
      u32 op = rnd() % 3;
      prefix(size); emit(0xf6 | w);
      if (op == 0) { rm(2, size, 1); }
      else if (op == 1) { rm(3, size, 1); defined = ALLF; }
      else { rm(0, size, 1); imm(size); defined = ALLF & ~AF; }
      return 1;
    }
    case 7: { /* shifts and rotates by 1 (D0/D1) or by imm 2..7 (C0/C1) */
      u32 op = rnd() % 8, one = rnd() & 1, cnt = 2 + rnd() % 6;
      if (op == 6) op = 4; /* /6 is not documented */
      if ((op == 2 || op == 3) && !(defined & CF)) return 0;
      prefix(size);
      if (one) { emit(0xd0 | w); rm(op, size, 1); }
      else { emit(0xc0 | w); rm(op, size, 1); emit(cnt); }
      if (op <= 3) { /* rotates: CF, and OF for a count of 1 */
        defined |= CF;
        if (one) defined |= OF; else defined &= ~OF;
      } else {
        defined = ALLF & ~AF;
        if (!one) defined &= ~OF;
      }
      return 1;
    }
    case 8: { /* mul/imul one-operand: CF OF defined, SF ZF AF PF undefined */
      prefix(size); emit(0xf6 | w); rm(4 + (rnd() & 1), size, 1);
      defined = CF | OF;
      return 1;
    }
    case 9: { /* imul r,r/m ; imul r,r/m,imm8 ; imul r,r/m,imm */
      u32 f = rnd() % 3;
      if (size == 8) size = 32;
      prefix(size);
      if (f == 0) { emit(0x0f); emit(0xaf); rm(reg(size), size, 1); }
      else if (f == 1) { emit(0x6b); rm(reg(size), size, 1); emit(rnd()); }
      else { emit(0x69); rm(reg(size), size, 1); imm(size); }
      defined = CF | OF;
      return 1;
    }
    case 10: { /* bt/bts/btr/btc with register operands or imm8 */
      u32 op = rnd() & 3;
      if (size == 8) size = 32;
      prefix(size); emit(0x0f);
      if (rnd() & 1) { emit(0xa3 | (op << 3)); emit(0xc0 | (reg(size) << 3) | reg(size)); }
      else { emit(0xba); rm(4 + op, size, 1); emit(rnd()); }
      defined &= ~(OF | SF | AF | PF | ZF);
      defined |= CF;
      return 1;
    }
    case 11: { /* setcc r/m8 */
      u32 cc = rnd() & 15;
      if (ccuse[cc] & ~defined) return 0;
      emit(0x0f); emit(0x90 | cc); rm(0, 8, 1);
      return 1;
    }
    case 12: { /* jcc over the next instruction */
      u32 cc = rnd() & 15, before, at;
      if (ccuse[cc] & ~defined) return 0;
      emit(0x70 | cc); at = cl; emit(0);
      before = defined;
      while (!gen()) {}
      code[at] = (u8)(cl - at - 1);
      defined &= before;
      return 1;
    }
    case 13: /* xchg, mov */
      prefix(size); emit(((rnd() & 1) ? 0x86 : 0x88) | w); rm(reg(size), size, 1);
      return 1;
    case 14: { /* movzx / movsx */
      u32 from16 = rnd() & 1;
      if (size == 8) size = 32;
      prefix(size); emit(0x0f); emit(((rnd() & 1) ? 0xbe : 0xb6) | from16); rm(reg(size), from16 ? 16 : 8, 1);
      return 1;
    }
    case 15: { /* lea r32, [base + index*scale + disp8] (no ebx, no esp) */
      emit(0x8d); emit(0x44 | (reg(32) << 3)); emit(((rnd() & 3) << 6) | (reg(32) << 3) | reg(32)); emit(rnd());
      return 1;
    }
    case 16: { /* cbw/cwde, cwd/cdq, bswap, mov r,imm */
      u32 f = rnd() & 3;
      if (f == 0) { prefix(size == 8 ? 32 : size); emit(0x98); }
      else if (f == 1) { prefix(size == 8 ? 32 : size); emit(0x99); }
      else if (f == 2) { emit(0x0f); emit(0xc8 | reg(32)); }
      else { emit(0xb8 | reg(32)); imm(32); }
      return 1;
    }
    case 17: { /* clc stc cmc */
      u32 f = rnd() % 3;
      if (f == 2 && !(defined & CF)) return 0;
      emit(f == 0 ? 0xf8 : f == 1 ? 0xf9 : 0xf5);
      defined |= CF;
      return 1;
    }
    case 18: { /* xadd, cmpxchg (register forms and [ebx+d8]) */
      u32 x = rnd() & 1;
      prefix(size); emit(0x0f); emit((x ? 0xc0 : 0xb0) | w); rm(reg(size), size, 1);
      defined = ALLF;
      return 1;
    }
    case 19: { /* shld/shrd by imm8 1..width-1 */
      u32 r = rnd() & 1, cnt;
      if (size == 8) size = 32;
      cnt = 1 + rnd() % (size - 1);
      prefix(size); emit(0x0f); emit(r ? 0xac : 0xa4); rm(reg(size), size, 1); emit(cnt);
      defined = ALLF & ~AF;
      if (cnt != 1) defined &= ~OF;
      return 1;
    }
    case 20: { /* daa/das (need AF, CF; OF undefined after), aam/aad imm8 != 0 */
      u32 f = rnd() & 3;
      if (f < 2) {
        if ((defined & (AF | CF)) != (AF | CF)) return 0;
        emit(f ? 0x2f : 0x27);
        defined = ALLF & ~OF;
      } else {
        emit(f == 2 ? 0xd4 : 0xd5); emit(1 + rnd() % 255);
        defined = SF | ZF | PF;
      }
      return 1;
    }
    case 21: { /* sahf / lahf */
      if (rnd() & 1) { emit(0x9e); defined |= SF | ZF | AF | PF | CF; return 1; }
      if ((defined & (SF | ZF | AF | PF | CF)) != (SF | ZF | AF | PF | CF)) return 0;
      emit(0x9f);
      return 1;
    }
    case 22: /* push r / pop r (16 or 32) */
      if (size == 8) size = 32;
      prefix(size); emit(0x50 | reg(size)); prefix(size); emit(0x58 | reg(size));
      return 1;
    case 24: { /* string op on the scratch area: lea esi/edi; mov ecx, n; [std]; [rep] op; cld */
      u32 op = rnd() % 5, n = rnd() % 5, rep = rnd() % 3, down = rnd() & 1, bytes = size / 8;
      static const u8 ops[5] = {0xa4, 0xa6, 0xac, 0xaa, 0xae}; /* movs cmps lods stos scas */
      u32 flagsop = op == 1 || op == 4;
      if (rep && (op == 0 || op == 2 || op == 3)) rep = 1; /* F3 only for movs/lods/stos */
      emit(0x8d); emit(0x73); emit(down ? 100 + rnd() % 20 : 60 + rnd() % 20);  /* lea esi,[ebx+d8] */
      emit(0x8d); emit(0x7b); emit(down ? 100 + rnd() % 20 : 60 + rnd() % 20);  /* lea edi,[ebx+d8] */
      emit(0xb9); emit32(n);                                                    /* mov ecx, n */
      if (down) emit(0xfd);
      if (rep == 1) emit(0xf3); else if (rep == 2) emit(0xf2);
      prefix(size); emit(ops[op] | w);
      if (down) emit(0xfc);
      (void)bytes;
      if (flagsop && !(rep && n == 0)) defined = ALLF;
      return 1;
    }
    case 25: { /* shift/rotate by CL with a known count: mov cl, c; op r/m, cl */
      u32 op = rnd() % 8, c = rnd() % 34, m = c & 31;
      if (op == 6) op = 4;
      if ((op == 2 || op == 3) && !(defined & CF) && m) return 0;
      emit(0xb1); emit(c);
      prefix(size); emit(0xd2 | w); rm(op, size, 1);
      if (m == 0) return 1;
      if (op <= 1) { /* rol/ror: CF (result bit), OF only for 1 */
        defined |= CF;
        if (m == 1) defined |= OF; else defined &= ~OF;
      } else if (op <= 3) { /* rcl/rcr: modulo 9/17 for 8/16 bits */
        u32 t = size == 8 ? m % 9 : size == 16 ? m % 17 : m;
        if (t) defined |= CF;
        if (m == 1) defined |= OF; else defined &= ~OF;
      } else {
        defined = ALLF & ~AF;
        if (m != 1) defined &= ~OF;
        if (op != 7 && m >= size) defined &= ~CF;
      }
      return 1;
    }
    case 26: { /* div/idiv by a nonzero constant in ECX: edx cleared / sign-extended first */
      u32 d = rnd();
      if (d == 0 || d == 0xffffffffu) d = 7;
      emit(0xb9); emit32(d);
      if (rnd() & 1) { emit(0x31); emit(0xd2); emit(0xf7); emit(0xf1); } /* xor edx,edx; div ecx */
      else { emit(0x99); emit(0xf7); emit(0xf9); }                         /* cdq; idiv ecx */
      defined = 0;
      return 1;
    }
    case 27: { /* bsf/bsr of a nonzero source: or src, 1<<k first */
      u32 src = reg(32), dst = reg(32);
      emit(0x81); emit(0xc8 | src); emit32(1u << (rnd() & 31));
      if (size == 8) size = 32;
      prefix(size); emit(0x0f); emit((rnd() & 1) ? 0xbc : 0xbd); emit(0xc0 | (dst << 3) | src);
      defined = ZF;
      return 1;
    }
    case 28: { /* bt* [ebx], r with r masked to 0..511; xlat with al anything (scratch is 256+ bytes) */
      if (rnd() & 1) {
        u32 r = reg(32), op = rnd() & 3;
        emit(0x81); emit(0xe0 | r); emit32(0x1ff);
        emit(0x0f); emit(0xa3 | (op << 3)); emit(0x03 | (r << 3));
        defined = CF;
      } else {
        emit(0xd7);
      }
      return 1;
    }
    case 29: { /* loop with a known count */
      u32 n = 1 + rnd() % 4, r = reg(32);
      if (r == 1) r = 0;
      emit(0xb9); emit32(n);
      emit(0x40 | r);            /* inc r */
      emit(0xe2); emit(0xfd);    /* loop back to the inc */
      defined |= ALLF & ~CF;
      return 1;
    }
    default: { /* rcl/rcr through the carry by 1 */
      if (!(defined & CF)) return 0;
      prefix(size); emit(0xd0 | w); rm(2 + (rnd() & 1), size, 1);
      defined |= CF | OF;
      return 1;
    }
  }
}

struct state { u32 eax, ecx, edx, esi, edi, ebp, flags; };
__attribute__((used)) struct state st_in, st_out;
__attribute__((used)) u8 scratch[256 + 8];
__attribute__((used)) u32 saved_esp;
void run_code(void);
__asm__(".text\n.globl run_code\nrun_code:\n"
        "\tpushl %ebp\n\tpushl %ebx\n\tpushl %esi\n\tpushl %edi\n\tmovl %esp, saved_esp\n"
        "\tmovl $scratch, %ebx\n\tmovl st_in+0, %eax\n\tmovl st_in+4, %ecx\n\tmovl st_in+8, %edx\n"
        "\tmovl st_in+12, %esi\n\tmovl st_in+16, %edi\n\tmovl st_in+20, %ebp\n"
        "\tpushl st_in+24\n\tpopfl\n\tcall code\n\tpushfl\n\tpopl st_out+24\n\tcld\n"
        "\tmovl %eax, st_out+0\n\tmovl %ecx, st_out+4\n\tmovl %edx, st_out+8\n"
        "\tmovl %esi, st_out+12\n\tmovl %edi, st_out+16\n\tmovl %ebp, st_out+20\n"
        "\tmovl saved_esp, %esp\n\tpopl %edi\n\tpopl %esi\n\tpopl %ebx\n\tpopl %ebp\n\tret\n");

int main(void) {
  for (u32 n = 0; n < 3000; n++) {
    if (n % 200 == 0) {
      { static char name[] = "random programs 0000-0199"; u32 a = n, b = n + 199; for (int i = 3; i >= 0; i--) { name[16 + i] = (char)('0' + a % 10); name[21 + i] = (char)('0' + b % 10); a /= 10; b /= 10; } section(name); }
      ps("# case: code bytes > eax ecx edx esi edi ebp scratch-hash flags(defined only)\n");
    }
    cl = 0;
    defined = ALLF;
    u32 count = 4 + rnd() % 9;
    for (u32 i = 0; i < count; i++) while (!gen()) {}
    emit(0xc3);
    u32 *in = &st_in.eax;
    for (u32 i = 0; i < 6; i++) {
      u32 v = rnd();
      in[i] = (v & 3) == 0 ? (v >> 28) : (v & 3) == 1 ? 0x80000000u >> (v >> 27) : rnd();
    }
    st_in.flags = 0x202 | (rnd() & ALLF);
    for (u32 i = 0; i < 256; i++) scratch[i] = (u8)rnd();
    run_code();
    u32 h = 2166136261u;
    for (u32 i = 0; i < 256; i++) h = (h ^ scratch[i]) * 16777619u;
    hx(n, 4); pc(':');
    for (u32 i = 0; i < cl; i++) { pc(' '); hx(code[i], 2); }
    ps(" >");
    u32 *out = &st_out.eax;
    for (u32 i = 0; i < 6; i++) hxs(out[i], 8);
    hxs(h, 8); fl(st_out.flags, defined);
    nl();
  }
  return 0;
}
