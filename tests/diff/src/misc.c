/* Data-movement and miscellaneous group: cmpxchg xadd xchg movzx movsx, lea with every
 * 32-bit and 16-bit addressing form, push/pop (with operand-size prefixes, memory and
 * esp operands), pusha/popa, enter/leave, call/ret imm16, cbw cwde cwd cdq, lahf sahf,
 * clc stc cmc, xlat. Stack addresses are printed relative to the starting ESP. */
#include "rt.h"

static const u32 fins[] = {0, ARITH};
static const u32 v32[] = {0, 1, 0x7f, 0x80, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678};

#define CX(NAME, INSN, T, DC)                                                                     \
  static T NAME(T d, T s, T a, u32 fi, u32 *fo, T *ao) {                                          \
    u32 f;                                                                                        \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[s], %[d]\n\tpushfl\n\tpopl %[f]"         \
                     : [d] DC(d), "+a"(a), [f] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc", "memory"); \
    *fo = f;                                                                                      \
    *ao = a;                                                                                      \
    return d;                                                                                     \
  }
CX(cmpxchg32, "cmpxchgl", u32, "+r")
CX(cmpxchg32m, "cmpxchgl", u32, "+m")
CX(cmpxchg16, "cmpxchgw", u16, "+r")
CX(cmpxchg8m, "cmpxchgb", u8, "+m")

static void cmpxchg(void) {
  static const u32 vals[] = {0, 1, 0x80000000, 0xffffffff};
  section("cmpxchg");
  for (u32 i = 0; i < N(vals); i++)
    for (u32 j = 0; j < N(vals); j++)
      for (u32 k = 0; k < 2; k++) {
        u32 fo, ao, d = vals[i], a = vals[j], s = 0x5555aaaa;
        u32 r = cmpxchg32(d, s, a, fins[k], &fo, &ao);
        hx(d, 8); hxs(a, 8); fl(fins[k], ARITH); ps(" r32 >"); hxs(r, 8); hxs(ao, 8); fl(fo, ARITH); nl();
        r = cmpxchg32m(d, s, a, fins[k], &fo, &ao);
        hx(d, 8); hxs(a, 8); fl(fins[k], ARITH); ps(" m32 >"); hxs(r, 8); hxs(ao, 8); fl(fo, ARITH); nl();
        u16 ao16;
        u16 r16 = cmpxchg16((u16)d, 0x1234, (u16)(a ^ 0xabcd0000), fins[k], &fo, &ao16);
        hx(d, 8); hxs(a, 8); fl(fins[k], ARITH); ps(" r16 >"); hxs(r16, 4); hxs(ao16, 4); fl(fo, ARITH); nl();
        u8 ao8;
        u8 r8 = cmpxchg8m((u8)d, 0x12, (u8)a, fins[k], &fo, &ao8);
        hx(d, 8); hxs(a, 8); fl(fins[k], ARITH); ps(" m8 >"); hxs(r8, 2); hxs(ao8, 2); fl(fo, ARITH); nl();
      }
}

#define XADD(NAME, INSN, T, DC, SC)                                                              \
  static T NAME(T d, T s, u32 fi, u32 *fo, T *so) {                                               \
    u32 f;                                                                                        \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[s], %[d]\n\tpushfl\n\tpopl %[f]"         \
                     : [d] DC(d), [s] SC(s), [f] "=&r"(f) : [fi] "r"(fi) : "cc", "memory");       \
    *fo = f;                                                                                      \
    *so = s;                                                                                      \
    return d;                                                                                     \
  }
XADD(xadd32, "xaddl", u32, "+r", "+r")
XADD(xadd32m, "xaddl", u32, "+m", "+r")
XADD(xadd16, "xaddw", u16, "+r", "+r")
XADD(xadd8m, "xaddb", u8, "+m", "+q")
XADD(xchg32, "xchgl", u32, "+r", "+r")
XADD(xchg32m, "xchgl", u32, "+m", "+r")
XADD(xchg16, "xchgw", u16, "+r", "+r")
XADD(xchg8, "xchgb", u8, "+q", "+q")
XADD(xchg8m, "xchgb", u8, "+m", "+q")
XADD(xchgeax, "xchgl", u32, "+a", "+r")
XADD(xchgax, "xchgw", u16, "+a", "+r")

#define PAIRS(LABEL, FN, T, DIG)                                          \
  section(LABEL);                                                         \
  for (u32 i = 0; i < N(v32); i++)                                        \
    for (u32 j = 0; j < N(v32); j += 3)                                   \
      for (u32 k = 0; k < 2; k++) {                                       \
        u32 fo;                                                           \
        T so;                                                             \
        T r = FN((T)v32[i], (T)v32[j], fins[k], &fo, &so);                \
        hx((T)v32[i], DIG); hxs((T)v32[j], DIG); fl(fins[k], ARITH);      \
        ps(" >"); hxs(r, DIG); hxs(so, DIG); fl(fo, ARITH); nl();          \
      }

static void movx(void) {
  section("movzx movsx");
  for (u32 i = 0; i < N(v32); i++) {
    u32 v = v32[i], r1, r2, r3, r4, r5, r6, r7, r8;
    u8 b = (u8)v;
    u16 w = (u16)v;
    __asm__ volatile("movzbl %b[v], %[r1]\n\tmovsbl %b[v], %[r2]\n\tmovzwl %w[v], %[r3]\n\tmovswl %w[v], %[r4]"
                     : [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4) : [v] "q"(v));
    r5 = r6 = 0xdeadbeef;
    __asm__ volatile("movzbw %[b], %w[r5]\n\tmovsbw %[b], %w[r6]\n\tmovzwl %[w], %[r7]\n\tmovswl %[w], %[r8]"
                     : [r5] "+r"(r5), [r6] "+r"(r6), [r7] "=&r"(r7), [r8] "=&r"(r8) : [b] "m"(b), [w] "m"(w));
    hx(v, 8); ps(" >"); hxs(r1, 8); hxs(r2, 8); hxs(r3, 8); hxs(r4, 8); hxs(r5, 8); hxs(r6, 8); hxs(r7, 8); hxs(r8, 8); nl();
  }
}

/* LEA: ebx = base, esi = index; every ModRM/SIB shape, and 16-bit address size. */
static void lea(void) {
  static const u32 bases[] = {0x1000, 0xffffff00, 0x7ffffff0};
  static const u32 idx[] = {0x20, 0xfffffffe, 0x40000001};
  section("lea 32-bit forms");
  for (u32 b = 0; b < N(bases); b++)
    for (u32 x = 0; x < N(idx); x++) {
      u32 r[14];
      __asm__ volatile(
          "leal (%%ebx), %%eax\n\tmovl %%eax, 0(%[r])\n\t"
          "leal (%%ebx,%%esi), %%eax\n\tmovl %%eax, 4(%[r])\n\t"
          "leal (%%ebx,%%esi,2), %%eax\n\tmovl %%eax, 8(%[r])\n\t"
          "leal (%%ebx,%%esi,8), %%eax\n\tmovl %%eax, 12(%[r])\n\t"
          "leal 0x7f(%%ebx), %%eax\n\tmovl %%eax, 16(%[r])\n\t"
          "leal -0x80(%%ebx), %%eax\n\tmovl %%eax, 20(%[r])\n\t"
          "leal 0x12345678(%%ebx), %%eax\n\tmovl %%eax, 24(%[r])\n\t"
          "leal -0x100(%%ebx,%%esi,4), %%eax\n\tmovl %%eax, 28(%[r])\n\t"
          "leal (,%%esi,4), %%eax\n\tmovl %%eax, 32(%[r])\n\t"
          "leal 0x1000(,%%esi,8), %%eax\n\tmovl %%eax, 36(%[r])\n\t"
          "leal 0x1234, %%eax\n\tmovl %%eax, 40(%[r])\n\t"
          "leal 3(%%esi,%%ebx,1), %%eax\n\tmovl %%eax, 44(%[r])\n\t"
          "leal (%%ebx,%%ebx,2), %%eax\n\tmovl %%eax, 48(%[r])\n\t"
          "leaw 0x12(%%ebx,%%esi,4), %%ax\n\tmovl %%eax, 52(%[r])\n\t"
          : : "b"(bases[b]), "S"(idx[x]), [r] "D"(r) : "eax", "memory");
      hx(bases[b], 8); hxs(idx[x], 8); ps(" >");
      for (u32 i = 0; i < 14; i++) hxs(r[i], 8);
      nl();
    }
  section("lea esp/ebp bases");
  {
    u32 r[4];
    __asm__ volatile(
        "pushl %%ebp\n\tmovl %%esp, %%ebp\n\tmovl $0x10, %%esi\n\t"
        "leal (%%esp), %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 0(%[r])\n\t"
        "leal 4(%%esp,%%esi,2), %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 4(%[r])\n\t"
        "leal (%%ebp), %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 8(%[r])\n\t"
        "leal -8(%%ebp,%%esi), %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 12(%[r])\n\t"
        "popl %%ebp"
        : : [r] "D"(r) : "eax", "esi", "memory");
    for (u32 i = 0; i < 4; i++) hxs(r[i], 8);
    nl();
  }
  section("lea 16-bit address size");
  static const u32 b16[] = {0x12340100, 0xff00};
  static const u32 i16[] = {0x0020, 0x0200, 0xffff};
  for (u32 b = 0; b < N(b16); b++)
    for (u32 x = 0; x < N(i16); x++) {
      u32 r[8];
      /* 67 8D /r with mod/rm: [bx+si] [bx+di] [bp+si]+d8 [bp+di]+d16 [si] [di]+d8 [bp]+d8 [bx]+d16 */
      __asm__ volatile(
          "movl $0xaaaa0000, %%eax\n\t.byte 0x67, 0x8d, 0x00\n\tmovl %%eax, 0(%[r])\n\t"
          "movl $0xaaaa0000, %%eax\n\t.byte 0x67, 0x8d, 0x01\n\tmovl %%eax, 4(%[r])\n\t"
          "movl $0xaaaa0000, %%eax\n\t.byte 0x67, 0x8d, 0x42, 0x80\n\tmovl %%eax, 8(%[r])\n\t"
          "movl $0xaaaa0000, %%eax\n\t.byte 0x67, 0x8d, 0x83, 0x34, 0x12\n\tmovl %%eax, 12(%[r])\n\t"
          "movl $0xaaaa0000, %%eax\n\t.byte 0x67, 0x8d, 0x04\n\tmovl %%eax, 16(%[r])\n\t"
          "movl $0xaaaa0000, %%eax\n\t.byte 0x67, 0x8d, 0x45, 0x7f\n\tmovl %%eax, 20(%[r])\n\t"
          "movl $0xaaaa0000, %%eax\n\t.byte 0x67, 0x8d, 0x06, 0xfe, 0xff\n\tmovl %%eax, 24(%[r])\n\t"
          "movl $0xaaaa0000, %%eax\n\t.byte 0x66, 0x67, 0x8d, 0x87, 0x00, 0x80\n\tmovl %%eax, 28(%[r])\n\t"
          : : "b"(b16[b]), "S"(i16[x]), "D"(i16[x] ^ 0x5555), [r] "c"(r) : "eax", "memory");
      __asm__ volatile("" ::: "memory");
      hx(b16[b], 8); hxs(i16[x], 8); ps(" >");
      for (u32 i = 0; i < 8; i++) hxs(r[i], 8);
      nl();
    }
}

__attribute__((used)) u32 pa_out[8], pa_regs[8], pa_esp0;

/* Stack: each block records values and ESP deltas into r[]. */
static void stack(void) {
  u32 r[16], frame[8];
  section("push pop");
  __asm__ volatile(
      "movl %%esp, %%ebx\n\t"
      "pushl $-5\n\tpopl %%eax\n\tmovl %%eax, 0(%[r])\n\t"                        /* push imm8 */
      "pushl $0x12345678\n\tpopl %%eax\n\tmovl %%eax, 4(%[r])\n\t"                /* push imm32 */
      "pushw $0x7abc\n\tmovl %%ebx, %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 8(%[r])\n\t"
      "popw %%ax\n\tmovl %%eax, 12(%[r])\n\t"                                     /* 16-bit push/pop */
      "pushl %%esp\n\tpopl %%eax\n\tsubl %%ebx, %%eax\n\tmovl %%eax, 16(%[r])\n\t" /* push esp: old value */
      "pushl 4(%[r])\n\tpopl 20(%[r])\n\t"                                        /* push/pop mem */
      "pushw 4(%[r])\n\tpopw 24(%[r])\n\t"
      "movl %%esp, %%eax\n\tpushl $0\n\tpopl %%esp\n\tmovl %%esp, 28(%[r])\n\tmovl %%eax, %%esp\n\t" /* pop esp */
      "movl $0x11111111, %%eax\n\tpushl %%eax\n\tpushl %%esp\n\tpopl (%%esp)\n\tpopl %%eax\n\tsubl %%ebx, %%eax\n\tmovl %%eax, 32(%[r])\n\t" /* pop [esp] uses esp after the pop */
      "pushl %%ds\n\tpopl %%eax\n\tmovw %%ds, %%dx\n\tcmpw %%dx, %%ax\n\tsete %%al\n\tmovzbl %%al, %%eax\n\tmovl %%eax, 36(%[r])\n\t"
      "pushw %%ds\n\tmovl %%ebx, %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 40(%[r])\n\tpopw %%ds\n\t"
      "movl %%ebx, %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 44(%[r])\n\t"
      : : [r] "S"(r) : "eax", "ebx", "edx", "memory");
  r[6] &= 0xffff;
  for (u32 i = 0; i < 12; i++) hxs(r[i], 8);
  nl();

  section("pusha popa");
  __asm__ volatile(
      "pushl %%ebp\n\tpushl %%ebx\n\tpushl %%esi\n\tpushl %%edi\n\t"
      "movl %%esp, pa_esp0\n\t"
      "movl $0xa1a1a1a1, %%eax\n\tmovl $0xc2c2c2c2, %%ecx\n\tmovl $0xd3d3d3d3, %%edx\n\tmovl $0xb4b4b4b4, %%ebx\n\t"
      "movl $0xe5e5e5e5, %%ebp\n\tmovl $0xe6e6e6e6, %%esi\n\tmovl $0xf7f7f7f7, %%edi\n\t"
      "pushal\n\t"
      "popl pa_out+0\n\tpopl pa_out+4\n\tpopl pa_out+8\n\tpopl pa_out+12\n\t"
      "popl pa_out+16\n\tpopl pa_out+20\n\tpopl pa_out+24\n\tpopl pa_out+28\n\t"
      "pushl $0x10101010\n\tpushl $0x20202020\n\tpushl $0x30303030\n\tpushl $0x40404040\n\t"
      "pushl $0x50505050\n\tpushl $0x60606060\n\tpushl $0x70707070\n\tpushl $0x80808080\n\t"
      "popal\n\t"
      "movl %%eax, pa_regs+0\n\tmovl %%ecx, pa_regs+4\n\tmovl %%edx, pa_regs+8\n\tmovl %%ebx, pa_regs+12\n\t"
      "movl %%esp, pa_regs+16\n\tmovl %%ebp, pa_regs+20\n\tmovl %%esi, pa_regs+24\n\tmovl %%edi, pa_regs+28\n\t"
      "popl %%edi\n\tpopl %%esi\n\tpopl %%ebx\n\tpopl %%ebp\n\t"
      : : : "eax", "ecx", "edx", "memory");
  pa_out[3] = pa_esp0 - pa_out[3]; /* the pushed ESP is the value before pushal */
  pa_regs[4] = pa_esp0 - pa_regs[4];
  for (u32 i = 0; i < 8; i++) hxs(pa_out[i], 8);
  for (u32 i = 0; i < 8; i++) hxs(pa_regs[i], 8);
  nl();

  section("enter leave");
  {
    static const u32 levels[] = {0, 1, 2, 3};
    for (u32 l = 0; l < N(levels); l++) {
      u32 out[12];
      for (u32 i = 0; i < 8; i++) frame[i] = 0xf0000000 + i;
      /* ebp = &frame[4]: enter copies dwords from [ebp-4], [ebp-8], ... */
      __asm__ volatile(
          "pushl %%ebp\n\tmovl %%esp, %%ebx\n\tmovl %[fp], %%ebp\n\t"
          "cmpl $0, %[lv]\n\tjne 1f\n\tenter $16, $0\n\tjmp 9f\n"
          "1:\tcmpl $1, %[lv]\n\tjne 2f\n\tenter $8, $1\n\tjmp 9f\n"
          "2:\tcmpl $2, %[lv]\n\tjne 3f\n\tenter $4, $2\n\tjmp 9f\n"
          "3:\tenter $0, $3\n"
          "9:\tmovl %%ebx, %%eax\n\tsubl %%ebp, %%eax\n\tmovl %%eax, 0(%%edi)\n\t"  /* new ebp depth */
          "movl %%ebx, %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 4(%%edi)\n\t"      /* new esp depth */
          "movl -4(%%ebx), %%eax\n\tsubl %[fp], %%eax\n\tmovl %%eax, 8(%%edi)\n\t"  /* pushed old ebp - fp */
          "movl -8(%%ebx), %%eax\n\tmovl %%eax, 12(%%edi)\n\t"
          "movl -12(%%ebx), %%eax\n\tmovl %%eax, 16(%%edi)\n\t"
          "movl -16(%%ebx), %%eax\n\tmovl %%eax, 20(%%edi)\n\t"
          "movl %%ebx, 32(%%edi)\n\t"
          "leave\n\t"
          "movl %%ebp, %%eax\n\tsubl %[fp], %%eax\n\tmovl %%eax, 24(%%edi)\n\t"
          "movl %%ebx, %%eax\n\tsubl %%esp, %%eax\n\tmovl %%eax, 28(%%edi)\n\t"
          "movl %%ebx, %%esp\n\tpopl %%ebp\n\t"
          : : [fp] "r"(&frame[4]), [lv] "m"(levels[l]), "D"(out) : "eax", "ebx", "memory");
      hx(levels[l], 1); ps(" >");
      hxs(out[0], 8); hxs(out[1], 8); hxs(out[2], 8);
      /* below the saved EBP: level-1 copied frame pointers, then the new frame pointer */
      for (u32 k = 1; k <= 3; k++) {
        u32 v = out[2 + k];
        if (k < levels[l]) hxs(v, 8);
        else if (k == levels[l]) hxs(out[8] - v, 8);
        else ps(" -");
      }
      hxs(out[6], 8); hxs(out[7], 8);
      nl();
    }
  }

  section("call ret imm16");
  {
    u32 d;
    __asm__ volatile("movl %%esp, %%ecx\n\tpushl $1\n\tpushl $2\n\tpushl $3\n\tcall 1f\n\tjmp 2f\n1:\tret $8\n2:\t"
                     "movl %%ecx, %%eax\n\tsubl %%esp, %%eax\n\taddl $4, %%esp\n\tmovl %%eax, %[d]"
                     : [d] "=r"(d) : : "eax", "ecx", "memory");
    hxs(d, 8);
    u32 v = 0;
    __asm__ volatile("movl $3f, %%eax\n\tcall *%%eax\n\tjmp 4f\n3:\tmovl $0x1111, %[v]\n\tret\n4:" : [v] "+r"(v) : : "eax", "memory");
    hxs(v, 8);
    static void *tab[] = {&&l1, &&l2};
    volatile u32 sel = 1;
    goto *tab[sel];
  l1:
    ps(" l1");
  l2:
    ps(" l2");
    nl();
  }
}

static void conv(void) {
  section("cbw cwde cwd cdq");
  for (u32 i = 0; i < N(v32); i++) {
    u32 a = v32[i], d = 0x5a5a5a5a, r1, r2, r3, r4, d3, d4;
    r1 = a; __asm__ volatile("cbtw" : "+a"(r1));
    r2 = a; __asm__ volatile("cwtl" : "+a"(r2));
    r3 = a; d3 = d; __asm__ volatile("cwtd" : "+a"(r3), "+d"(d3));
    r4 = a; d4 = d; __asm__ volatile("cltd" : "+a"(r4), "+d"(d4));
    hx(a, 8); ps(" >"); hxs(r1, 8); hxs(r2, 8); hxs(r3, 8); hxs(d3, 8); hxs(r4, 8); hxs(d4, 8); nl();
  }
  section("lahf sahf");
  for (u32 ah = 0; ah < 256; ah++) {
    u32 f, a = (ah << 8) | 0x5a, l;
    __asm__ volatile("pushl $0\n\tpopfl\n\tsahf\n\tpushfl\n\tpopl %[f]" : [f] "=r"(f) : "a"(a) : "cc");
    l = 0;
    __asm__ volatile("pushl %[f]\n\tpopfl\n\tlahf" : "+a"(l) : [f] "r"(f | OF) : "cc");
    hx(ah, 2); ps(" >"); fl(f, 0xfff); hxs(l, 8); nl();
  }
  section("clc stc cmc");
  for (u32 k = 0; k < 2; k++) {
    u32 f1, f2, f3;
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\tclc\n\tpushfl\n\tpopl %[a]\n\tstc\n\tpushfl\n\tpopl %[b]\n\tcmc\n\tcmc\n\tcmc\n\tpushfl\n\tpopl %[c]"
                     : [a] "=&r"(f1), [b] "=&r"(f2), [c] "=&r"(f3) : [fi] "r"(fins[k]) : "cc");
    fl(fins[k], ARITH); ps(" >"); fl(f1, ARITH); fl(f2, ARITH); fl(f3, ARITH); nl();
  }
  section("xlat");
  {
    static u8 table[256];
    for (u32 i = 0; i < 256; i++) table[i] = (u8)(i * 7 + 3);
    for (u32 i = 0; i < 256; i += 15) {
      u32 a = 0x12345600 | i;
      __asm__ volatile("xlatb" : "+a"(a) : "b"(table));
      hx(i, 2); ps(" >"); hxs(a, 8); nl();
    }
  }
}

int main(void) {
  cmpxchg();
  PAIRS("xadd r32,r32", xadd32, u32, 8)
  PAIRS("xadd m32,r32", xadd32m, u32, 8)
  PAIRS("xadd r16,r16", xadd16, u16, 4)
  PAIRS("xadd m8,r8", xadd8m, u8, 2)
  PAIRS("xchg r32,r32", xchg32, u32, 8)
  PAIRS("xchg m32,r32", xchg32m, u32, 8)
  PAIRS("xchg r16,r16", xchg16, u16, 4)
  PAIRS("xchg r8,r8", xchg8, u8, 2)
  PAIRS("xchg m8,r8", xchg8m, u8, 2)
  PAIRS("xchg eax,r32", xchgeax, u32, 8)
  PAIRS("xchg ax,r16", xchgax, u16, 4)
  movx();
  lea();
  stack();
  conv();
  return 0;
}
