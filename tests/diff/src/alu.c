/* ALU group: add adc sub sbb cmp and or xor test inc dec neg not over edge values in
 * 8/16/32 bits, register/memory/immediate forms, with the incoming arithmetic flags
 * all clear and all set. Every section prints "a b flags_in > result flags_out". */
#include "rt.h"

static const u32 v32[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678};
static const u16 v16[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x1234};
static const u8 v8[] = {0, 1, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x5a};
static const u32 s32[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678};
static const u16 s16[] = {0, 1, 0x7fff, 0x8000, 0xffff, 0x1234};
static const u8 s8[] = {0, 1, 0x7f, 0x80, 0xff, 0x5a};
static const u32 fins[] = {0, ARITH};

/* AND/OR/XOR/TEST leave AF undefined (the manual); AMD and Intel hosts differ from a 486 here. */
#define LOGIC (ARITH & ~AF)

#define BIN(NAME, INSN, T, RC, BC)                                                             \
  static T NAME(T a, T b, u32 fi, u32 *fo) {                                                   \
    T r = a;                                                                                   \
    u32 f;                                                                                     \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[b], %[r]\n\tpushfl\n\tpopl %[f]"      \
                     : [r] RC(r), [f] "=&r"(f) : [b] BC(b), [fi] "r"(fi) : "cc", "memory");    \
    *fo = f;                                                                                   \
    return r;                                                                                  \
  }
#define IMM(NAME, INSN, T, RC, IMMV)                                                           \
  static T NAME(T a, T b, u32 fi, u32 *fo) {                                                   \
    T r = a;                                                                                   \
    u32 f;                                                                                     \
    (void)b;                                                                                   \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " $" IMMV ", %[r]\n\tpushfl\n\tpopl %[f]" \
                     : [r] RC(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc", "memory");               \
    *fo = f;                                                                                   \
    return r;                                                                                  \
  }
#define UN(NAME, INSN, T, RC)                                                                  \
  static T NAME(T a, T b, u32 fi, u32 *fo) {                                                   \
    T r = a;                                                                                   \
    u32 f;                                                                                     \
    (void)b;                                                                                   \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t" INSN " %[r]\n\tpushfl\n\tpopl %[f]"            \
                     : [r] RC(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc", "memory");               \
    *fo = f;                                                                                   \
    return r;                                                                                  \
  }
/* Raw bytes operating on AL (for encodings an assembler never picks, e.g. opcode 0x82). */
#define RAW8(NAME, BYTES)                                                                      \
  static u8 NAME(u8 a, u8 b, u32 fi, u32 *fo) {                                                \
    u8 r = a;                                                                                  \
    u32 f;                                                                                     \
    (void)b;                                                                                   \
    __asm__ volatile("pushl %[fi]\n\tpopfl\n\t.byte " BYTES "\n\tpushfl\n\tpopl %[f]"          \
                     : [r] "+a"(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc", "memory");             \
    *fo = f;                                                                                   \
    return r;                                                                                  \
  }

#define SWEEP(LABEL, FN, T, VALS, DIG, MASK, BVALS)                                           \
  section(LABEL);                                                                              \
  for (u32 i = 0; i < N(VALS); i++)                                                            \
    for (u32 j = 0; j < N(BVALS); j++)                                                         \
      for (u32 k = 0; k < 2; k++) {                                                            \
        u32 fo;                                                                                \
        T r = FN(VALS[i], BVALS[j], fins[k], &fo);                                             \
        hx(VALS[i], DIG);                                                                      \
        hxs(BVALS[j], DIG);                                                                    \
        fl(fins[k], ARITH);                                                                    \
        ps(" >");                                                                              \
        hxs(r, DIG);                                                                           \
        fl(fo, MASK);                                                                          \
        nl();                                                                                  \
      }

static const u32 one32[] = {0};
static const u16 one16[] = {0};
static const u8 one8[] = {0};

/* Binary ops in the three sizes: reg,reg; reg,mem (mem destination); mem,reg (mem source). */
#define OPS(X) X(add, "add", ARITH) X(adc, "adc", ARITH) X(sub, "sub", ARITH) X(sbb, "sbb", ARITH) \
  X(cmp, "cmp", ARITH) X(and, "and", LOGIC) X(or, "or", LOGIC) X(xor, "xor", LOGIC) X(test, "test", LOGIC)

#define DEF(op, insn, mask)                                    \
  BIN(op##_rr32, insn "l", u32, "+r", "r")                     \
  BIN(op##_mr32, insn "l", u32, "+m", "r")                     \
  BIN(op##_rm32, insn "l", u32, "+r", "m")                     \
  BIN(op##_rr16, insn "w", u16, "+r", "r")                     \
  BIN(op##_mr16, insn "w", u16, "+m", "r")                     \
  BIN(op##_rm16, insn "w", u16, "+r", "m")                     \
  BIN(op##_rr8, insn "b", u8, "+q", "q")                       \
  BIN(op##_mr8, insn "b", u8, "+m", "q")                       \
  BIN(op##_rm8, insn "b", u8, "+q", "m")                       \
  IMM(op##_i8s32, insn "l", u32, "+r", "-2")                   \
  IMM(op##_i32, insn "l", u32, "+r", "0x80000000")             \
  IMM(op##_ieax, insn "l", u32, "+a", "0x12345")               \
  IMM(op##_im32, insn "l", u32, "+m", "0x7f")                  \
  IMM(op##_i8s16, insn "w", u16, "+r", "-1")                   \
  IMM(op##_i16, insn "w", u16, "+r", "0x8000")                 \
  IMM(op##_iax, insn "w", u16, "+a", "0x7fff")                 \
  IMM(op##_i8, insn "b", u8, "+q", "0x80")                     \
  IMM(op##_ial, insn "b", u8, "+a", "0x7f")                    \
  IMM(op##_im8, insn "b", u8, "+m", "0xff")
OPS(DEF)


#define RUNOP(op, insn, mask)                                                   \
  SWEEP(#op " r32,r32", op##_rr32, u32, v32, 8, mask, v32)                      \
  SWEEP(#op " m32,r32", op##_mr32, u32, s32, 8, mask, s32)                      \
  SWEEP(#op " r32,m32", op##_rm32, u32, s32, 8, mask, s32)                      \
  SWEEP(#op " r16,r16", op##_rr16, u16, v16, 4, mask, v16)                      \
  SWEEP(#op " m16,r16", op##_mr16, u16, s16, 4, mask, s16)                      \
  SWEEP(#op " r16,m16", op##_rm16, u16, s16, 4, mask, s16)                      \
  SWEEP(#op " r8,r8", op##_rr8, u8, v8, 2, mask, v8)                            \
  SWEEP(#op " m8,r8", op##_mr8, u8, s8, 2, mask, s8)                            \
  SWEEP(#op " r8,m8", op##_rm8, u8, s8, 2, mask, s8)                            \
  SWEEP(#op " r32,imm8(-2)", op##_i8s32, u32, v32, 8, mask, one32)              \
  SWEEP(#op " r32,imm32(80000000)", op##_i32, u32, v32, 8, mask, one32)         \
  SWEEP(#op " eax,imm32(12345)", op##_ieax, u32, v32, 8, mask, one32)           \
  SWEEP(#op " m32,imm8(7f)", op##_im32, u32, v32, 8, mask, one32)               \
  SWEEP(#op " r16,imm8(-1)", op##_i8s16, u16, v16, 4, mask, one16)              \
  SWEEP(#op " r16,imm16(8000)", op##_i16, u16, v16, 4, mask, one16)             \
  SWEEP(#op " ax,imm16(7fff)", op##_iax, u16, v16, 4, mask, one16)              \
  SWEEP(#op " r8,imm8(80)", op##_i8, u8, v8, 2, mask, one8)                     \
  SWEEP(#op " al,imm8(7f)", op##_ial, u8, v8, 2, mask, one8)                    \
  SWEEP(#op " m8,imm8(ff)", op##_im8, u8, v8, 2, mask, one8)

#define UNOPS(X) X(inc, "inc") X(dec, "dec") X(neg, "neg") X(not, "not")
#define UDEF(op, insn)                  \
  UN(op##_r32, insn "l", u32, "+r")     \
  UN(op##_m32, insn "l", u32, "+m")     \
  UN(op##_r16, insn "w", u16, "+r")     \
  UN(op##_m16, insn "w", u16, "+m")     \
  UN(op##_r8, insn "b", u8, "+q")       \
  UN(op##_m8, insn "b", u8, "+m")
UNOPS(UDEF)
#define URUN(op, insn)                                       \
  SWEEP(#op " r32", op##_r32, u32, v32, 8, ARITH, one32)     \
  SWEEP(#op " m32", op##_m32, u32, v32, 8, ARITH, one32)     \
  SWEEP(#op " r16", op##_r16, u16, v16, 4, ARITH, one16)     \
  SWEEP(#op " m16", op##_m16, u16, v16, 4, ARITH, one16)     \
  SWEEP(#op " r8", op##_r8, u8, v8, 2, ARITH, one8)          \
  SWEEP(#op " m8", op##_m8, u8, v8, 2, ARITH, one8)

/* Opcode 0x82 (alias of 0x80 in 32-bit code on the 486): add/sub/cmp al, 0x7f. */
RAW8(add82, "0x82, 0xc0, 0x7f")
RAW8(sub82, "0x82, 0xe8, 0x7f")
RAW8(cmp82, "0x82, 0xf8, 0x7f")

/* Lazy-flag sequences: CF of an add/sub must survive a following inc/dec, a 64-bit add
 * chain with adc, and flags after a mov (which changes none). */
static u32 seq_add_inc(u32 a, u32 b, u32 fi, u32 *fo) {
  u32 r = a, c = b, f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\taddl %[c], %[r]\n\tincl %[c]\n\tpushfl\n\tpopl %[f]"
                   : [r] "+r"(r), [c] "+r"(c), [f] "=&r"(f) : [fi] "r"(fi) : "cc");
  *fo = f;
  return r ^ c;
}
static u32 seq_sub_dec(u32 a, u32 b, u32 fi, u32 *fo) {
  u32 r = a, c = b, f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tsubl %[c], %[r]\n\tdecw %w[c]\n\tmovl $5, %[r]\n\tpushfl\n\tpopl %[f]"
                   : [r] "+r"(r), [c] "+r"(c), [f] "=&r"(f) : [fi] "r"(fi) : "cc");
  *fo = f;
  return r ^ c;
}
static u32 seq_adc64(u32 a, u32 b, u32 fi, u32 *fo) {
  u32 lo = a, hi = b, f;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\taddl %[b], %[lo]\n\tadcl %[a], %[hi]\n\tsbbl %[a], %[lo]\n\tpushfl\n\tpopl %[f]"
                   : [lo] "+r"(lo), [hi] "+r"(hi), [f] "=&r"(f) : [a] "r"(a), [b] "r"(b), [fi] "r"(fi) : "cc");
  *fo = f;
  return lo ^ (hi * 3);
}
static u32 seq_neg_inc8(u32 a, u32 b, u32 fi, u32 *fo) {
  u32 r = a, f;
  (void)b;
  __asm__ volatile("pushl %[fi]\n\tpopfl\n\tnegb %b[r]\n\tincb %h[r]\n\tpushfl\n\tpopl %[f]"
                   : [r] "+q"(r), [f] "=&r"(f) : [fi] "r"(fi) : "cc");
  *fo = f;
  return r;
}

int main(void) {
  OPS(RUNOP)
  UNOPS(URUN)
  SWEEP("add 82 al,imm8(7f)", add82, u8, v8, 2, ARITH, one8)
  SWEEP("sub 82 al,imm8(7f)", sub82, u8, v8, 2, ARITH, one8)
  SWEEP("cmp 82 al,imm8(7f)", cmp82, u8, v8, 2, ARITH, one8)
  SWEEP("seq add;inc", seq_add_inc, u32, v32, 8, ARITH, s32)
  SWEEP("seq sub;dec16;mov", seq_sub_dec, u32, v32, 8, ARITH, s32)
  SWEEP("seq add;adc;sbb", seq_adc64, u32, v32, 8, ARITH, s32)
  SWEEP("seq neg8;inc8(ah)", seq_neg_inc8, u32, v32, 8, ARITH, one32)
  return 0;
}
