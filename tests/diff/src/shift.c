/* Shift and rotate group: shl shr sar rol ror rcl rcr by CL (counts 0, 1, >width and
 * counts that the CPU masks to 5 bits), by 1 (D0/D1) and by imm8 (C0/C1), in 8/16/32
 * bits; shld/shrd by CL and imm8. Lines are "value count flags_in > result flags_out". */
#include "rt.h"

static const u32 v32[] = {0, 0x80000001, 0x12345678, 0xffffffff, 0x40000000};
static const u16 v16[] = {0, 0x8001, 0x1234, 0xffff, 0x4000};
static const u8 v8[] = {0, 0x81, 0x5a, 0xff, 0x40};
static const u8 counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 0x41};
static const u32 fins[] = {0, ARITH};

enum { SH_LEFT, SH_RIGHT, SH_SAR, ROT, RC8, RC16, RCX };

/* Flags the manuals define for a shift/rotate by masked count c of a width-bit operand:
 * c == 0 changes nothing; AF is undefined after shifts, OF after any count other than 1;
 * SHL/SHR by >= width (8/16-bit operands) leave CF undefined; rotates touch only CF/OF. */
static u32 shmask(int kind, u32 count, int width) {
  u32 c = count & 31;
  if (c == 0) return ARITH;
  u32 m = (kind == ROT || kind == RC8 || kind == RC16 || kind == RCX) ? (CF | OF) : (ARITH & ~AF);
  if (c != 1) m &= ~OF;
  if ((kind == SH_LEFT || kind == SH_RIGHT) && c >= (u32)width) m &= ~CF;
  return m;
}

#define SHCL(NAME, INSN, T, C)                                                              \
  static T NAME(T a, u8 n, u32 fi, u32 *fo) {                                                \
    T r = a;                                                                                 \
    u32 f;                                                                                   \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %%cl, %[r]\n\tpushfl\n\tpopl %[f]"    \
                     : [r] C(r), [f] "=&r"(f) : "c"(n), [fi] "r"(fi) : "cc", "memory");      \
    *fo = f;                                                                                 \
    return r;                                                                                \
  }
#define SH1(NAME, INSN, T, C)                                                               \
  static T NAME(T a, u8 n, u32 fi, u32 *fo) {                                                \
    T r = a;                                                                                 \
    u32 f;                                                                                   \
    (void)n;                                                                                 \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[r]\n\tpushfl\n\tpopl %[f]"          \
                     : [r] C(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc", "memory");              \
    *fo = f;                                                                                 \
    return r;                                                                                \
  }
#define SHI(NAME, INSN, T, C, IMMV)                                                          \
  static T NAME(T a, u8 n, u32 fi, u32 *fo) {                                                \
    T r = a;                                                                                 \
    u32 f;                                                                                   \
    (void)n;                                                                                 \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " $" IMMV ", %[r]\n\tpushfl\n\tpopl %[f]" \
                     : [r] C(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc", "memory");              \
    *fo = f;                                                                                 \
    return r;                                                                                \
  }

#define KINDS(X) X(shl, SH_LEFT, SH_LEFT, SH_LEFT) X(shr, SH_RIGHT, SH_RIGHT, SH_RIGHT)          \
  X(sar, SH_SAR, SH_SAR, SH_SAR) X(rol, ROT, ROT, ROT) X(ror, ROT, ROT, ROT)                     \
  X(rcl, RC8, RC16, RCX) X(rcr, RC8, RC16, RCX)

#define DEF(op, k8, k16, k32)                                   \
  SHCL(op##_cl32, #op "l", u32, "+r")                           \
  SHCL(op##_clm32, #op "l", u32, "+m")                          \
  SHCL(op##_cl16, #op "w", u16, "+r")                           \
  SHCL(op##_cl8, #op "b", u8, "+q")                             \
  SHCL(op##_clm8, #op "b", u8, "+m")                            \
  SH1(op##_one32, #op "l", u32, "+r")                           \
  SH1(op##_one16m, #op "w", u16, "+m")                          \
  SH1(op##_one8, #op "b", u8, "+q")                             \
  SHI(op##_i32, #op "l", u32, "+r", "4")                        \
  SHI(op##_i16, #op "w", u16, "+r", "19")                       \
  SHI(op##_i8m, #op "b", u8, "+m", "3")
KINDS(DEF)

#define SWEEP(LABEL, FN, T, VALS, DIG, CNTS, NC, KIND, WIDTH)                                \
  section(LABEL);                                                                          \
  for (u32 i = 0; i < N(VALS); i++)                                                        \
    for (u32 j = 0; j < NC; j++)                                                           \
      for (u32 k = 0; k < 2; k++) {                                                        \
        u32 fo;                                                                            \
        T r = FN(VALS[i], CNTS[j], fins[k], &fo);                                          \
        hx(VALS[i], DIG);                                                                  \
        hxs(CNTS[j], 2);                                                                   \
        fl(fins[k], ARITH);                                                                \
        ps(" >");                                                                          \
        hxs(r, DIG);                                                                       \
        fl(fo, shmask(KIND, CNTS[j], WIDTH));                                              \
        nl();                                                                              \
      }

static const u8 c1[] = {1}, c4[] = {4}, c19[] = {19}, c3[] = {3};

#define RUN(op, k8, k16, k32)                                                     \
  SWEEP(#op " r32,cl", op##_cl32, u32, v32, 8, counts, N(counts), k32, 32)        \
  SWEEP(#op " m32,cl", op##_clm32, u32, v32, 8, counts, N(counts), k32, 32)       \
  SWEEP(#op " r16,cl", op##_cl16, u16, v16, 4, counts, N(counts), k16, 16)        \
  SWEEP(#op " r8,cl", op##_cl8, u8, v8, 2, counts, N(counts), k8, 8)              \
  SWEEP(#op " m8,cl", op##_clm8, u8, v8, 2, counts, N(counts), k8, 8)             \
  SWEEP(#op " r32,1", op##_one32, u32, v32, 8, c1, 1, k32, 32)                    \
  SWEEP(#op " m16,1", op##_one16m, u16, v16, 4, c1, 1, k16, 16)                   \
  SWEEP(#op " r8,1", op##_one8, u8, v8, 2, c1, 1, k8, 8)                          \
  SWEEP(#op " r32,imm8(4)", op##_i32, u32, v32, 8, c4, 1, k32, 32)                \
  SWEEP(#op " r16,imm8(19)", op##_i16, u16, v16, 4, c19, 1, k16, 16)              \
  SWEEP(#op " m8,imm8(3)", op##_i8m, u8, v8, 2, c3, 1, k8, 8)

/* C1 /4 ib with ib = 1 (the assembler would pick D1): shl eax, 1. */
static u32 shl_c1_1(u32 a, u8 n, u32 fi, u32 *fo) {
  u32 r = a, f;
  (void)n;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\t.byte 0xc1, 0xe0, 0x01\n\tpushfl\n\tpopl %[f]"
                   : "+a"(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc");
  *fo = f;
  return r;
}

/* SHLD/SHRD: dest, src, count. Lines are "dest src count flags_in > result flags_out". */
static const u32 d32[] = {0x12345678, 0x80000001, 0xffffffff, 0};
static const u32 x32[] = {0x9abcdef0, 0xffffffff, 0x00000001};
static const u16 d16[] = {0x1234, 0x8001, 0xffff, 0};
static const u16 x16[] = {0x9abc, 0xffff, 0x0001};

#define DSH(NAME, INSN, T, DC)                                                                  \
  static T NAME(T a, T s, u8 n, u32 fi, u32 *fo) {                                                \
    T r = a;                                                                                      \
    u32 f;                                                                                        \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %%cl, %[s], %[r]\n\tpushfl\n\tpopl %[f]"   \
                     : [r] DC(r), [f] "=&r"(f) : [s] "r"(s), "c"(n), [fi] "r"(fi) : "cc", "memory"); \
    *fo = f;                                                                                      \
    return r;                                                                                     \
  }
#define DSHI(NAME, INSN, T, IMMV)                                                                 \
  static T NAME(T a, T s, u8 n, u32 fi, u32 *fo) {                                                \
    T r = a;                                                                                      \
    u32 f;                                                                                        \
    (void)n;                                                                                      \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " $" IMMV ", %[s], %[r]\n\tpushfl\n\tpopl %[f]" \
                     : [r] "+r"(r), [f] "=&r"(f) : [s] "r"(s), [fi] "r"(fi) : "cc", "memory");   \
    *fo = f;                                                                                      \
    return r;                                                                                     \
  }
DSH(shld32, "shldl", u32, "+r")
DSH(shld32m, "shldl", u32, "+m")
DSH(shrd32, "shrdl", u32, "+r")
DSH(shrd32m, "shrdl", u32, "+m")
DSH(shld16, "shldw", u16, "+r")
DSH(shrd16, "shrdw", u16, "+r")
DSH(shrd16m, "shrdw", u16, "+m")
DSHI(shld32i, "shldl", u32, "12")
DSHI(shrd32i, "shrdl", u32, "1")
DSHI(shld16i, "shldw", u16, "5")

static const u8 dcounts[] = {0, 1, 4, 15, 16, 17, 31, 32, 33};

/* The result and flags of a 16-bit SHLD/SHRD by more than 16 are undefined: printed as "undef". */
#define DSWEEP(LABEL, FN, T, DV, XV, DIG, CNTS, NC, WIDTH)                                      \
  section(LABEL);                                                                              \
  for (u32 i = 0; i < N(DV); i++)                                                              \
    for (u32 j = 0; j < N(XV); j++)                                                            \
      for (u32 c = 0; c < NC; c++)                                                             \
        for (u32 k = 0; k < 2; k++) {                                                          \
          u32 fo, cnt = CNTS[c] & 31;                                                          \
          hx(DV[i], DIG);                                                                      \
          hxs(XV[j], DIG);                                                                     \
          hxs(CNTS[c], 2);                                                                     \
          fl(fins[k], ARITH);                                                                  \
          ps(" >");                                                                            \
          if (cnt > (u32)WIDTH) {                                                              \
            ps(" undef\n");                                                                    \
            continue;                                                                          \
          }                                                                                    \
          T r = FN(DV[i], XV[j], CNTS[c], fins[k], &fo);                                       \
          hxs(r, DIG);                                                                         \
          fl(fo, cnt == 0 ? ARITH : cnt == 1 ? (ARITH & ~AF) : (ARITH & ~AF & ~OF));            \
          nl();                                                                                \
        }

static const u8 c12[] = {12}, c5[] = {5};

int main(void) {
  KINDS(RUN)
  SWEEP("shl C1 eax,imm8(1)", shl_c1_1, u32, v32, 8, c1, 1, SH_LEFT, 32)
  DSWEEP("shld r32,r32,cl", shld32, u32, d32, x32, 8, dcounts, N(dcounts), 32)
  DSWEEP("shld m32,r32,cl", shld32m, u32, d32, x32, 8, dcounts, N(dcounts), 32)
  DSWEEP("shrd r32,r32,cl", shrd32, u32, d32, x32, 8, dcounts, N(dcounts), 32)
  DSWEEP("shrd m32,r32,cl", shrd32m, u32, d32, x32, 8, dcounts, N(dcounts), 32)
  DSWEEP("shld r16,r16,cl", shld16, u16, d16, x16, 4, dcounts, N(dcounts), 16)
  DSWEEP("shrd r16,r16,cl", shrd16, u16, d16, x16, 4, dcounts, N(dcounts), 16)
  DSWEEP("shrd m16,r16,cl", shrd16m, u16, d16, x16, 4, dcounts, N(dcounts), 16)
  DSWEEP("shld r32,r32,imm8(12)", shld32i, u32, d32, x32, 8, c12, 1, 32)
  DSWEEP("shrd r32,r32,imm8(1)", shrd32i, u32, d32, x32, 8, c1, 1, 32)
  DSWEEP("shld r16,r16,imm8(5)", shld16i, u16, d16, x16, 4, c5, 1, 16)
  return 0;
}
