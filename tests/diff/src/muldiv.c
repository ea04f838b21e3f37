/* Multiply/divide group: mul and imul (one-operand in 8/16/32 bits, two-operand and
 * three-operand with imm8/imm32), div and idiv in 8/16/32 bits. After MUL/IMUL only CF
 * and OF are defined (SF ZF AF PF masked: a 486 and this AMD/Intel host set them
 * differently); after DIV/IDIV every flag is undefined, so none is printed. Division by
 * zero and quotient overflow (#DE) are skipped here; the test kernels cover #DE. */
#include "rt.h"

typedef unsigned long long u64;
typedef long long i64;

static const u32 v32[] = {0, 1, 2, 3, 7, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678, 0x10000};
static const u16 v16[] = {0, 1, 3, 0x7fff, 0x8000, 0xffff, 0x1234, 0x100};
static const u8 v8[] = {0, 1, 3, 0x7f, 0x80, 0x81, 0xff, 0x10};
static const u32 fins[] = {0, ARITH};
#define MULF (CF | OF)

/* One-operand forms: returns the low half, *hi the high half. */
#define MUL1(NAME, INSN, T, LOC, HIC)                                                              \
  static T NAME(T a, T b, u32 fi, u32 *fo, T *hi) {                                                \
    T lo = a, h = 0;                                                                               \
    T src = b;                                                                                     \
    u32 f;                                                                                         \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[s]\n\tpushfl\n\tpopl %[f]"                \
                     : LOC(lo), HIC(h), [f] "=&r"(f) : [s] "rm"(src), [fi] "r"(fi) : "cc", "memory"); \
    *fo = f;                                                                                       \
    *hi = h;                                                                                       \
    return lo;                                                                                     \
  }
MUL1(mul32, "mull", u32, "+a", "=d")
MUL1(imul32, "imull", u32, "+a", "=d")
MUL1(mul16, "mulw", u16, "+a", "=d")
MUL1(imul16, "imulw", u16, "+a", "=d")

static u8 mul8(u8 a, u8 b, u32 fi, u32 *fo, u8 *hi) {
  u32 ax = a, f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tmulb %[s]\n\tpushfl\n\tpopl %[f]"
                   : "+a"(ax), [f] "=&r"(f) : [s] "qm"(b), [fi] "r"(fi) : "cc");
  *fo = f;
  *hi = (u8)(ax >> 8);
  return (u8)ax;
}
static u8 imul8(u8 a, u8 b, u32 fi, u32 *fo, u8 *hi) {
  u32 ax = a, f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\timulb %[s]\n\tpushfl\n\tpopl %[f]"
                   : "+a"(ax), [f] "=&r"(f) : [s] "qm"(b), [fi] "r"(fi) : "cc");
  *fo = f;
  *hi = (u8)(ax >> 8);
  return (u8)ax;
}

/* Two- and three-operand IMUL: *hi is unused (0). */
#define IMUL2(NAME, INSN, T, SC)                                                               \
  static T NAME(T a, T b, u32 fi, u32 *fo, T *hi) {                                            \
    T r = a;                                                                                   \
    u32 f;                                                                                     \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[s], %[r]\n\tpushfl\n\tpopl %[f]"      \
                     : [r] "+r"(r), [f] "=&r"(f) : [s] SC(b), [fi] "r"(fi) : "cc", "memory");  \
    *fo = f;                                                                                   \
    *hi = 0;                                                                                   \
    return r;                                                                                  \
  }
IMUL2(imul2r32, "imull", u32, "r")
IMUL2(imul2m32, "imull", u32, "m")
IMUL2(imul2r16, "imulw", u16, "r")
#define IMUL3(NAME, INSN, T, IMMV)                                                                     \
  static T NAME(T a, T b, u32 fi, u32 *fo, T *hi) {                                                    \
    T r;                                                                                               \
    u32 f;                                                                                             \
    (void)b;                                                                                           \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " $" IMMV ", %[s], %[r]\n\tpushfl\n\tpopl %[f]"   \
                     : [r] "=&r"(r), [f] "=&r"(f) : [s] "rm"(a), [fi] "r"(fi) : "cc", "memory");       \
    *fo = f;                                                                                           \
    *hi = 0;                                                                                           \
    return r;                                                                                          \
  }
IMUL3(imul3i8_32, "imull", u32, "-3")
IMUL3(imul3i32_32, "imull", u32, "0x10001")
IMUL3(imul3i8_16, "imulw", u16, "0x7f")
IMUL3(imul3i16_16, "imulw", u16, "-300")

static const u32 one32[] = {0};
static const u16 one16[] = {0};

#define SWEEP(LABEL, FN, T, VA, VB, DIG)                              \
  section(LABEL);                                                     \
  for (u32 i = 0; i < N(VA); i++)                                     \
    for (u32 j = 0; j < N(VB); j++)                                   \
      for (u32 k = 0; k < 2; k++) {                                   \
        u32 fo;                                                       \
        T hi;                                                         \
        T lo = FN(VA[i], VB[j], fins[k], &fo, &hi);                   \
        hx(VA[i], DIG);                                               \
        hxs(VB[j], DIG);                                              \
        fl(fins[k], ARITH);                                           \
        ps(" >");                                                     \
        hxs(lo, DIG);                                                 \
        hxs(hi, DIG);                                                 \
        fl(fo, MULF);                                                 \
        nl();                                                         \
      }

/* Division: dividend (hi:lo) and divisor; results are quotient and remainder. */
static const u32 dl32[] = {0, 1, 7, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678};
static const u32 dh32[] = {0, 1, 0x7fffffff, 0xffffffff, 0x80000000};
static const u32 dd32[] = {1, 2, 3, 7, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x10000};

static void div32(const char *name, int sgn) {
  section(name);
  for (u32 i = 0; i < N(dl32); i++)
    for (u32 h = 0; h < N(dh32); h++)
      for (u32 j = 0; j < N(dd32); j++) {
        u32 lo = dl32[i], hi = dh32[h], d = dd32[j];
        u64 n = ((u64)hi << 32) | lo;
        if (sgn) {
          i64 sn = (i64)n, sd = (i32)d;
          if (sd == -1 && sn == (i64)0x8000000000000000ULL) continue;
          i64 q = sn / sd;
          if (q > 0x7fffffffLL || q < -0x80000000LL) continue;
          __asm__ volatile("idivl %[d]" : "+a"(lo), "+d"(hi) : [d] "rm"(d) : "cc");
        } else {
          if (n / d > 0xffffffffULL) continue;
          __asm__ volatile("divl %[d]" : "+a"(lo), "+d"(hi) : [d] "rm"(d) : "cc");
        }
        hx(dh32[h], 8); hxs(dl32[i], 8); hxs(d, 8); ps(" >"); hxs(lo, 8); hxs(hi, 8); nl();
      }
}
static const u16 dl16[] = {0, 1, 7, 0x7fff, 0x8000, 0xffff, 0x1234};
static const u16 dd16[] = {1, 2, 3, 0x7fff, 0x8000, 0xffff, 0x100};
static void div16(const char *name, int sgn) {
  section(name);
  for (u32 i = 0; i < N(dl16); i++)
    for (u32 h = 0; h < N(dl16); h++)
      for (u32 j = 0; j < N(dd16); j++) {
        u16 lo = dl16[i], hi = dl16[h], d = dd16[j];
        u32 n = ((u32)hi << 16) | lo;
        if (sgn) {
          i32 q = (i32)n / (short)d;
          if ((short)d == -1 && n == 0x80000000u) continue;
          if (q > 0x7fff || q < -0x8000) continue;
          __asm__ volatile("idivw %[d]" : "+a"(lo), "+d"(hi) : [d] "rm"(d) : "cc");
        } else {
          if (n / d > 0xffff) continue;
          __asm__ volatile("divw %[d]" : "+a"(lo), "+d"(hi) : [d] "rm"(d) : "cc");
        }
        hx(dl16[h], 4); hxs(dl16[i], 4); hxs(d, 4); ps(" >"); hxs(lo, 4); hxs(hi, 4); nl();
      }
}
static const u16 dax8[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xff80, 0xffff, 0x1234};
static const u8 dd8[] = {1, 2, 3, 0x7f, 0x80, 0xff, 0x10};
static void div8(const char *name, int sgn) {
  section(name);
  for (u32 i = 0; i < N(dax8); i++)
    for (u32 j = 0; j < N(dd8); j++) {
      u32 ax = dax8[i];
      u8 d = dd8[j];
      if (sgn) {
        i32 q = (short)ax / (signed char)d;
        if (q > 0x7f || q < -0x80) continue;
        __asm__ volatile("idivb %[d]" : "+a"(ax) : [d] "qm"(d) : "cc");
      } else {
        if (ax / d > 0xff) continue;
        __asm__ volatile("divb %[d]" : "+a"(ax) : [d] "qm"(d) : "cc");
      }
      hx(dax8[i], 4); hxs(d, 2); ps(" >"); hxs(ax & 0xffff, 4); nl();
    }
}

int main(void) {
  SWEEP("mul r/m32", mul32, u32, v32, v32, 8)
  SWEEP("imul r/m32", imul32, u32, v32, v32, 8)
  SWEEP("mul r/m16", mul16, u16, v16, v16, 4)
  SWEEP("imul r/m16", imul16, u16, v16, v16, 4)
  SWEEP("mul r/m8", mul8, u8, v8, v8, 2)
  SWEEP("imul r/m8", imul8, u8, v8, v8, 2)
  SWEEP("imul r32,r32", imul2r32, u32, v32, v32, 8)
  SWEEP("imul r32,m32", imul2m32, u32, v32, v32, 8)
  SWEEP("imul r16,r16", imul2r16, u16, v16, v16, 4)
  SWEEP("imul r32,r/m32,imm8(-3)", imul3i8_32, u32, v32, one32, 8)
  SWEEP("imul r32,r/m32,imm32(10001)", imul3i32_32, u32, v32, one32, 8)
  SWEEP("imul r16,r/m16,imm8(7f)", imul3i8_16, u16, v16, one16, 4)
  SWEEP("imul r16,r/m16,imm16(-300)", imul3i16_16, u16, v16, one16, 4)
  div32("div r/m32", 0);
  div32("idiv r/m32", 1);
  div16("div r/m16", 0);
  div16("idiv r/m16", 1);
  div8("div r/m8", 0);
  div8("idiv r/m8", 1);
  return 0;
}
