/* Bit and condition group: bt bts btr btc (register, imm8 and memory operands with bit
 * offsets far outside the addressed word, negative too), bsf bsr, bswap, setcc, jcc
 * (short and near), loop loope loopne jecxz (and jcxz with an address-size prefix).
 * BT*: only CF is defined (OF SF AF PF masked; ZF is unaffected on a 486 but undefined in
 * later manuals, masked too). BSF/BSR: only ZF; the destination is undefined when the
 * source is zero, printed as "--------". */
#include "rt.h"

static const u32 fins[] = {0, ARITH};

#define BTR(NAME, INSN, T, SC)                                                               \
  static T NAME(T a, T n, u32 fi, u32 *fo) {                                                  \
    T r = a;                                                                                  \
    u32 f;                                                                                    \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[n], %[r]\n\tpushfl\n\tpopl %[f]"     \
                     : [r] "+r"(r), [f] "=&r"(f) : [n] SC(n), [fi] "r"(fi) : "cc");           \
    *fo = f;                                                                                  \
    return r;                                                                                 \
  }
#define BTI(NAME, INSN, T, IMMV)                                                              \
  static T NAME(T a, T n, u32 fi, u32 *fo) {                                                  \
    T r = a;                                                                                  \
    u32 f;                                                                                    \
    (void)n;                                                                                  \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " $" IMMV ", %[r]\n\tpushfl\n\tpopl %[f]" \
                     : [r] "+rm"(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc", "memory");           \
    *fo = f;                                                                                  \
    return r;                                                                                 \
  }
#define BTOPS(X) X(bt) X(bts) X(btr) X(btc)
#define BTDEF(op)                                   \
  BTR(op##_r32, #op "l", u32, "r")                  \
  BTR(op##_r16, #op "w", u16, "r")                  \
  BTI(op##_i32, #op "l", u32, "37")                 \
  BTI(op##_i16, #op "w", u16, "250")
BTOPS(BTDEF)

static const u32 bv32[] = {0, 0xffffffff, 0x12345678, 0x80000001};
static const u32 bn32[] = {0, 1, 5, 31, 32, 33, 0xffffffff, 0x80000000};
static const u16 bv16[] = {0, 0xffff, 0x1234, 0x8001};
static const u16 bn16[] = {0, 1, 15, 16, 17, 0xffff};
static const u32 z32[] = {0};
static const u16 z16[] = {0};

#define SWEEP(LABEL, FN, T, VA, VB, DIG)                       \
  section(LABEL);                                              \
  for (u32 i = 0; i < N(VA); i++)                              \
    for (u32 j = 0; j < N(VB); j++)                            \
      for (u32 k = 0; k < 2; k++) {                            \
        u32 fo;                                                \
        T r = FN(VA[i], VB[j], fins[k], &fo);                  \
        hx(VA[i], DIG); hxs(VB[j], DIG); fl(fins[k], ARITH);   \
        ps(" >"); hxs(r, DIG); fl(fo, CF); nl();               \
      }

/* Memory forms with a register bit offset: the offset selects a word anywhere around
 * `mid` (the middle of buf). Prints which dword of buf changed and its new value. */
static u32 buf[64];
static const i32 moffs[] = {-1000, -100, -33, -32, -1, 0, 5, 31, 32, 63, 100, 999};

#define BTM32(NAME, INSN)                                                                       \
  static u32 NAME(u32 *p, i32 n, u32 fi) {                                                      \
    u32 f;                                                                                      \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[n], (%[p])\n\tpushfl\n\tpopl %[f]"     \
                     : [f] "=&r"(f) : [n] "r"(n), [p] "r"(p), [fi] "r"(fi) : "cc", "memory");   \
    return f;                                                                                   \
  }
#define BTM16(NAME, INSN)                                                                       \
  static u32 NAME(u32 *p, i32 n, u32 fi) {                                                      \
    u32 f;                                                                                      \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %w[n], (%[p])\n\tpushfl\n\tpopl %[f]"    \
                     : [f] "=&r"(f) : [n] "r"(n), [p] "r"(p), [fi] "r"(fi) : "cc", "memory");   \
    return f;                                                                                   \
  }
#define BTMI(NAME, INSN, IMMV)                                                                  \
  static u32 NAME(u32 *p, i32 n, u32 fi) {                                                      \
    u32 f;                                                                                      \
    (void)n;                                                                                    \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " $" IMMV ", 8(%[p])\n\tpushfl\n\tpopl %[f]" \
                     : [f] "=&r"(f) : [p] "r"(p), [fi] "r"(fi) : "cc", "memory");               \
    return f;                                                                                   \
  }
#define BTMDEF(op) BTM32(op##_m32, #op "l") BTM16(op##_m16, #op "w") BTMI(op##_mi32, #op "l", "45") \
  BTMI(op##_mi16, #op "w", "21")
BTOPS(BTMDEF)

static void btmem(const char *label, u32 (*fn)(u32 *, i32, u32), int is16) {
  section(label);
  for (u32 o = 0; o < N(moffs); o++)
    for (u32 k = 0; k < 2; k++) {
      i32 n = moffs[o];
      if (is16 && (n < -32768 || n > 32767)) continue;
      for (u32 i = 0; i < N(buf); i++) buf[i] = 0x5a5a0f0fu ^ (i * 0x01010101u);
      u32 f = fn(&buf[32], n, fins[k]);
      hx((u32)n, 8); fl(fins[k], ARITH); ps(" >");
      for (u32 i = 0; i < N(buf); i++)
        if (buf[i] != (0x5a5a0f0fu ^ (i * 0x01010101u))) { hxs(i, 2); pc(':'); hx(buf[i], 8); }
      fl(f, CF);
      nl();
    }
}

static u32 bsf32(u32 a, u32 b, u32 fi, u32 *fo) {
  u32 r = b, f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tbsfl %[a], %[r]\n\tpushfl\n\tpopl %[f]" : [r] "+r"(r), [f] "=&r"(f) : [a] "rm"(a), [fi] "r"(fi) : "cc");
  *fo = f;
  return r;
}
static u32 bsr32(u32 a, u32 b, u32 fi, u32 *fo) {
  u32 r = b, f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tbsrl %[a], %[r]\n\tpushfl\n\tpopl %[f]" : [r] "+r"(r), [f] "=&r"(f) : [a] "rm"(a), [fi] "r"(fi) : "cc");
  *fo = f;
  return r;
}
static u32 bsf16(u32 a, u32 b, u32 fi, u32 *fo) {
  u16 r = (u16)b, s = (u16)a;
  u32 f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tbsfw %[a], %[r]\n\tpushfl\n\tpopl %[f]" : [r] "+r"(r), [f] "=&r"(f) : [a] "rm"(s), [fi] "r"(fi) : "cc");
  *fo = f;
  return r;
}
static u32 bsr16(u32 a, u32 b, u32 fi, u32 *fo) {
  u16 r = (u16)b, s = (u16)a;
  u32 f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tbsrw %[a], %[r]\n\tpushfl\n\tpopl %[f]" : [r] "+r"(r), [f] "=&r"(f) : [a] "rm"(s), [fi] "r"(fi) : "cc");
  *fo = f;
  return r;
}
static const u32 bsv[] = {0, 1, 2, 0x80000000, 0xffffffff, 0x00010000, 0x12345678, 0x8000, 0x00f00f00};
static void bscan(const char *label, u32 (*fn)(u32, u32, u32, u32 *), u32 width) {
  section(label);
  for (u32 i = 0; i < N(bsv); i++)
    for (u32 k = 0; k < 2; k++) {
      u32 fo, a = width == 16 ? bsv[i] & 0xffff : bsv[i];
      u32 r = fn(a, 0x77777777, fins[k], &fo);
      hx(a, 8); fl(fins[k], ARITH); ps(" >");
      if (a == 0) ps(" --------"); else hxs(r, 8);
      fl(fo, ZF);
      nl();
    }
}

static void bswap(void) {
  section("bswap");
  for (u32 i = 0; i < N(bsv); i++) {
    u32 r = bsv[i];
    __asm__ volatile("bswap %0" : "+r"(r));
    hx(bsv[i], 8); ps(" >"); hxs(r, 8); nl();
  }
}

/* SETcc and Jcc for every condition code under all 32 combinations of CF PF ZF SF OF. */
#define SETCC(CC) "set" CC " %%al\n\tshll $1, %%edx\n\torb %%al, %%dl\n\t"
static u32 setcc_all(u32 fi) {
  u32 bits = 0, a = 0;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\t"
                   SETCC("o") SETCC("no") SETCC("b") SETCC("ae") SETCC("e") SETCC("ne") SETCC("be") SETCC("a")
                   SETCC("s") SETCC("ns") SETCC("p") SETCC("np") SETCC("l") SETCC("ge") SETCC("le") SETCC("g")
                   : "+d"(bits), "+a"(a) : [fi] "r"(fi) : "cc");
  return bits;
}
static u32 setcc_mem(u32 fi) {
  u8 b[4];
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tsetle %[b0]\n\tsetnp %[b1]\n\tseta %[b2]\n\tsetno %[b3]"
                   : [b0] "=m"(b[0]), [b1] "=m"(b[1]), [b2] "=m"(b[2]), [b3] "=m"(b[3]) : [fi] "r"(fi) : "cc");
  return b[0] | (b[1] << 8) | (b[2] << 16) | ((u32)b[3] << 24);
}
#define JCC(CC) "j" CC " 1f\n\tshll $1, %%edx\n\tjmp 2f\n1:\tshll $1, %%edx\n\torl $1, %%edx\n2:\t"
#define JCCN(CC) "j" CC " 1f\n\tshll $1, %%edx\n\tjmp 2f\n\t.skip 130, 0x90\n1:\tshll $1, %%edx\n\torl $1, %%edx\n2:\t"
static u32 jcc_short(u32 fi) {
  u32 bits = 0;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\t"
                   JCC("o") JCC("no") JCC("b") JCC("ae") JCC("e") JCC("ne") JCC("be") JCC("a")
                   JCC("s") JCC("ns") JCC("p") JCC("np") JCC("l") JCC("ge") JCC("le") JCC("g")
                   : "+d"(bits) : [fi] "r"(fi) : "cc");
  return bits;
}
static u32 jcc_near(u32 fi) {
  u32 bits = 0;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\t"
                   JCCN("o") JCCN("no") JCCN("b") JCCN("ae") JCCN("e") JCCN("ne") JCCN("be") JCCN("a")
                   JCCN("s") JCCN("ns") JCCN("p") JCCN("np") JCCN("l") JCCN("ge") JCCN("le") JCCN("g")
                   : "+d"(bits) : [fi] "r"(fi) : "cc");
  return bits;
}
static void conds(const char *label, u32 (*fn)(u32)) {
  static const u32 fb[] = {CF, PF, ZF, SF, OF};
  section(label);
  for (u32 m = 0; m < 32; m++) {
    u32 fi = 0;
    for (u32 b = 0; b < 5; b++) if (m & (1u << b)) fi |= fb[b];
    hx(fi, 3); ps(" >"); hxs(fn(fi), 8); nl();
  }
}

/* LOOP family (ECX = 0 would mean 2^32 iterations, left out): counts iterations and the final ECX for several ECX/ZF patterns. */
static void loops(void) {
  static const u32 cs[] = {1, 2, 5, 0x10000, 0x10001, 0x20000};
  section("loop loope loopne jecxz jcxz");
  for (u32 i = 0; i < N(cs); i++) {
    u32 c = cs[i], n = 0;
    __asm__ volatile("1:\tincl %[n]\n\tloop 1b" : "+c"(c), [n] "+r"(n) : : "cc");
    hx(cs[i], 8); ps(" loop >"); hxs(n, 8); hxs(c, 8); nl();
    /* loope: exits when ECX hits 0 or ZF clear; ZF is set while n < 3. */
    c = cs[i]; n = 0;
    __asm__ volatile("1:\tincl %[n]\n\tcmpl $3, %[n]\n\tloope 1b\n\t" : "+c"(c), [n] "+r"(n) : : "cc");
    hx(cs[i], 8); ps(" loope >"); hxs(n, 8); hxs(c, 8); nl();
    c = cs[i]; n = 0;
    __asm__ volatile("1:\tincl %[n]\n\tcmpl $3, %[n]\n\tloopne 1b\n\t" : "+c"(c), [n] "+r"(n) : : "cc");
    hx(cs[i], 8); ps(" loopne >"); hxs(n, 8); hxs(c, 8); nl();
    u32 t = 0;
    c = cs[i];
    __asm__ volatile("jecxz 1f\n\tmovl $1, %[t]\n1:" : [t] "+r"(t) : "c"(c));
    hx(cs[i], 8); ps(" jecxz >"); hxs(t, 8); nl();
    t = 0;
    __asm__ volatile(".byte 0x67\n\tjecxz 1f\n\tmovl $1, %[t]\n1:" : [t] "+r"(t) : "c"(c));
    hx(cs[i], 8); ps(" jcxz >"); hxs(t, 8); nl();
    /* loop with an address-size prefix counts in CX only. */
    c = cs[i] | 0x30000; n = 0;
    __asm__ volatile("1:\tincl %[n]\n\tcmpl $7, %[n]\n\tje 2f\n\t.byte 0x67\n\tloop 1b\n2:" : "+c"(c), [n] "+r"(n) : : "cc");
    hx(cs[i], 8); ps(" loop(cx) >"); hxs(n, 8); hxs(c, 8); nl();
  }
}

#define RUNBT(op)                                                   \
  SWEEP(#op " r32,r32", op##_r32, u32, bv32, bn32, 8)               \
  SWEEP(#op " r16,r16", op##_r16, u16, bv16, bn16, 4)               \
  SWEEP(#op " r/m32,imm8(37)", op##_i32, u32, bv32, z32, 8)         \
  SWEEP(#op " r/m16,imm8(250)", op##_i16, u16, bv16, z16, 4)        \
  btmem(#op " m32,r32", op##_m32, 0);                               \
  btmem(#op " m16,r16", op##_m16, 1);                               \
  btmem(#op " m32,imm8(45)", op##_mi32, 0);                         \
  btmem(#op " m16,imm8(21)", op##_mi16, 1);

int main(void) {
  BTOPS(RUNBT)
  bscan("bsf r32,r/m32", bsf32, 32);
  bscan("bsr r32,r/m32", bsr32, 32);
  bscan("bsf r16,r/m16", bsf16, 16);
  bscan("bsr r16,r/m16", bsr16, 16);
  bswap();
  conds("setcc r8", setcc_all);
  conds("setcc m8", setcc_mem);
  conds("jcc rel8", jcc_short);
  conds("jcc rel32", jcc_near);
  loops();
  return 0;
}
