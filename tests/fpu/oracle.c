/* The x87 oracle for tests/fpu: runs x87 instructions natively on this x86_64 host (whose
 * long double is the 80-bit format) under chosen control words and writes one binary record
 * per case to stdout:
 *   u16 op, u16 cw, u16 sw (FNSTSW right after the instruction), u16 0,
 *   A[12], B[12] (operand memory images: 80-bit reals, or the m16/m32/m64/m80-BCD source of a load),
 *   R1[12], R2[12] (ST(0) and ST(1) after the instruction, or the memory a store wrote;
 *                  stores start from the sentinel 0xA5 bytes).
 * Operands: ST(0) = A, ST(1) = B. FNCLEX clears the pending state before the results are
 * stored, so unmasked exceptions show what the instruction left in the registers.
 * Usage: oracle [randomCount] [seed] [lastOp] [firstOp]   (deterministic for a seed; ops 0-26
 *   by default, 27-34 are the transcendental ones)
 * Build: clang -O1 -o oracle oracle.c (x86_64 host; the op numbers match tests/fpu/cases.ts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

typedef struct { unsigned char b[10]; } t80;
typedef struct { unsigned char b[12]; } rec12;

static unsigned short g_cw, g_sw;
static t80 g_a, g_b, g_r1, g_r2;

#define BIN(name, insn)                                                                        \
  static void name(void) {                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfnclex\n\t" insn      \
                     "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\tfstpt %[r2]\n\tfninit"      \
                     : [sw] "=m"(g_sw), [r1] "=m"(g_r1), [r2] "=m"(g_r2)                       \
                     : [cw] "m"(g_cw), [a] "m"(g_a), [b] "m"(g_b));                            \
  }
#define BIN1(name, insn)                                                                       \
  static void name(void) {                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfnclex\n\t" insn     \
                     "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\tfninit"                     \
                     : [sw] "=m"(g_sw), [r1] "=m"(g_r1)                                        \
                     : [cw] "m"(g_cw), [a] "m"(g_a), [b] "m"(g_b));                            \
  }
#define UN1(name, insn)                                                                        \
  static void name(void) {                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfnclex\n\t" insn                   \
                     "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\tfninit"                     \
                     : [sw] "=m"(g_sw), [r1] "=m"(g_r1)                                        \
                     : [cw] "m"(g_cw), [a] "m"(g_a));                                          \
  }
#define UN2(name, insn)                                                                        \
  static void name(void) {                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfnclex\n\t" insn                   \
                     "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\tfstpt %[r2]\n\tfninit"      \
                     : [sw] "=m"(g_sw), [r1] "=m"(g_r1), [r2] "=m"(g_r2)                       \
                     : [cw] "m"(g_cw), [a] "m"(g_a));                                          \
  }
#define STO(name, insn)                                                                        \
  static void name(void) {                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfnclex\n\t" insn " %[r1]"          \
                     "\n\tfnstsw %[sw]\n\tfninit"                                              \
                     : [sw] "=m"(g_sw), [r1] "=m"(g_r1)                                        \
                     : [cw] "m"(g_cw), [a] "m"(g_a));                                          \
  }
#define LOD(name, insn)                                                                        \
  static void name(void) {                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn " %[a]"                                  \
                     "\n\tfnstsw %[sw]\n\tfnclex\n\tfstpt %[r1]\n\tfninit"                     \
                     : [sw] "=m"(g_sw), [r1] "=m"(g_r1)                                        \
                     : [cw] "m"(g_cw), [a] "m"(g_a));                                          \
  }

BIN(op_add, "fadd %%st(1), %%st")
BIN(op_sub, "fsub %%st(1), %%st")
BIN(op_mul, "fmul %%st(1), %%st")
BIN(op_div, "fdiv %%st(1), %%st")
BIN(op_prem, "fprem")
BIN(op_prem1, "fprem1")
BIN(op_scale, "fscale")
BIN(op_com, "fcom %%st(1)")
BIN(op_ucom, "fucom %%st(1)")
UN1(op_sqrt, "fsqrt")
UN1(op_rndint, "frndint")
UN2(op_xtract, "fxtract")
STO(op_ist16, "fistps")
STO(op_ist32, "fistpl")
STO(op_ist64, "fistpll")
STO(op_istt16, "fisttps")
STO(op_istt32, "fisttpl")
STO(op_istt64, "fisttpll")
STO(op_st32, "fstps")
STO(op_st64, "fstpl")
STO(op_bstp, "fbstp")
LOD(op_ld32, "flds")
LOD(op_ld64, "fldl")
LOD(op_ild16, "filds")
LOD(op_ild32, "fildl")
LOD(op_ild64, "fildll")
LOD(op_bld, "fbld")
UN1(op_sin, "fsin")
UN1(op_cos, "fcos")
UN2(op_sincos, "fsincos")
UN2(op_ptan, "fptan")
BIN1(op_patan, "fpatan")
UN1(op_f2xm1, "f2xm1")
BIN1(op_yl2x, "fyl2x")
BIN1(op_yl2xp1, "fyl2xp1")

enum { K_BIN, K_UN, K_STO, K_LOD };
struct opdef { void (*fn)(void); int kind; };
/* Index = op number (tests/fpu/cases.ts OPS). */
static const struct opdef OPS[] = {
  {op_add, K_BIN},    {op_sub, K_BIN},    {op_mul, K_BIN},    {op_div, K_BIN},    {op_prem, K_BIN},
  {op_prem1, K_BIN},  {op_scale, K_BIN},  {op_com, K_BIN},    {op_ucom, K_BIN},   {op_sqrt, K_UN},
  {op_rndint, K_UN},  {op_xtract, K_UN},  {op_ist16, K_STO},  {op_ist32, K_STO},  {op_ist64, K_STO},
  {op_istt16, K_STO}, {op_istt32, K_STO}, {op_istt64, K_STO}, {op_st32, K_STO},   {op_st64, K_STO},
  {op_bstp, K_STO},   {op_ld32, K_LOD},   {op_ld64, K_LOD},   {op_ild16, K_LOD},  {op_ild32, K_LOD},
  {op_ild64, K_LOD},  {op_bld, K_LOD},    {op_sin, K_UN},     {op_cos, K_UN},     {op_sincos, K_UN},
  {op_ptan, K_UN},    {op_patan, K_BIN},  {op_f2xm1, K_UN},   {op_yl2x, K_BIN},   {op_yl2xp1, K_BIN},
};
#define NOPS (int)(sizeof OPS / sizeof OPS[0])

static uint64_t rs;
static uint64_t rnd(void) {
  rs ^= rs << 13;
  rs ^= rs >> 7;
  rs ^= rs << 17;
  return rs;
}

static void mk(t80 *t, unsigned se, uint64_t m) {
  memcpy(t->b, &m, 8);
  t->b[8] = se & 0xff;
  t->b[9] = se >> 8;
}

/* Edge values of the register format. */
static const struct { unsigned se; uint64_t m; } SPECIAL[] = {
  {0x0000, 0}, {0x0000, 1}, {0x0000, 0x7fffffffffffffffull}, {0x0000, 0x0000000100000000ull},
  {0x0000, 0x8000000000000000ull}, {0x0000, 0xc000000000000001ull}, {0x0001, 0x8000000000000000ull},
  {0x0001, 0xffffffffffffffffull}, {0x3fff, 0x8000000000000000ull}, {0x3fff, 0xc000000000000000ull},
  {0x4000, 0x8000000000000000ull}, {0x4000, 0xc000000000000000ull}, {0x4002, 0xa000000000000000ull},
  {0x3ffe, 0x8000000000000000ull}, {0x3fff, 0x8000000000000001ull}, {0x3fff, 0xffffffffffffffffull},
  {0x3fff, 0x8000008000000000ull}, {0x3fff, 0x8000018000000000ull}, {0x3fff, 0x8000000000000400ull},
  {0x3fff, 0x8000000000000c00ull}, {0x3fff, 0xffffff8000000000ull}, {0x3fff, 0xfffffffffffffc00ull},
  {0x7ffe, 0xffffffffffffffffull}, {0x7ffe, 0x8000000000000000ull}, {0x7fff, 0x8000000000000000ull},
  {0x7fff, 0xc000000000000000ull}, {0x7fff, 0xc000000000001234ull}, {0x7fff, 0x8000000000000001ull},
  {0x7fff, 0xa000000000000000ull}, {0x7fff, 0x0000000000000000ull}, {0x7fff, 0x4000000000000001ull},
  {0x3fff, 0x4000000000000000ull}, {0x0001, 0x0000000000000001ull}, {0x407e, 0xffffff0000000000ull},
  {0x407e, 0xffffff8000000000ull}, {0x407f, 0x8000000000000000ull}, {0x3f81, 0x8000000000000000ull},
  {0x3f80, 0xffffff0000000000ull}, {0x3f6a, 0x8000000000000000ull}, {0x3f69, 0x8000000000000000ull},
  {0x3f69, 0x8000000000000001ull}, {0x43fe, 0xfffffffffffff800ull}, {0x43fe, 0xfffffffffffffc00ull},
  {0x3c01, 0x8000000000000000ull}, {0x3bcd, 0x8000000000000000ull}, {0x3bcc, 0x8000000000000000ull},
  {0x3bcc, 0xc000000000000000ull}, {0x400d, 0xfffe000000000000ull}, {0x400d, 0xffff000000000000ull},
  {0x400e, 0x8000000000000000ull}, {0x400e, 0x8001000000000000ull}, {0x401d, 0xffffffff00000000ull},
  {0x401e, 0x8000000000000000ull}, {0x401e, 0x8000000080000000ull}, {0x403d, 0xffffffffffffffffull},
  {0x403e, 0x8000000000000000ull}, {0x403a, 0xde0b6b3a76400000ull}, {0x403a, 0xde0b6b3a763ffff8ull},
  {0x403a, 0xde0b6b3a763fffffull}, {0x4000, 0xc90fdaa22168c234ull}, {0x4001, 0xc90fdaa22168c235ull},
  {0x403f, 0xc90fdaa22168c234ull}, {0x3ffe, 0xffffffffffffffffull}, {0x3ffd, 0xc000000000000000ull},
};
#define NSPECIAL (int)(sizeof SPECIAL / sizeof SPECIAL[0])

/* A random register-format operand, biased towards the interesting exponent ranges. */
static void rnd80(t80 *t) {
  uint64_t m = rnd() | 0x8000000000000000ull;
  unsigned k = rnd() % 16, e;
  if (k < 6) e = 0x3ff0 + rnd() % 32;
  else if (k < 8) e = 1 + rnd() % 0x7ffe;
  else if (k < 9) e = 1 + rnd() % 80;
  else if (k < 10) e = 0x7ffe - rnd() % 80;
  else if (k < 11) { e = 0; m >>= 1 + rnd() % 63; }
  else if (k < 12) e = 0x3fff + rnd() % 64;
  else if (k < 13) e = 0x3f60 + rnd() % 0x40;
  else if (k < 14) e = 0x3bc0 + rnd() % 0x48;
  else e = 0x3fb0 + rnd() % 0xa0;
  if (rnd() % 4 == 0) m &= ~0ull << (rnd() % 64) | 0x8000000000000000ull; /* short significands: exact and halfway cases */
  if (e == 0) m &= 0x7fffffffffffffffull;
  mk(t, e | (rnd() & 1) << 15, m);
}

/* B near A (cancellation, rounding at the precision boundaries, exact quotients). */
static void near80(t80 *b, const t80 *a) {
  uint64_t m;
  unsigned se;
  memcpy(&m, a->b, 8);
  se = a->b[8] | a->b[9] << 8;
  unsigned e = se & 0x7fff;
  int de = (int)(rnd() % 70) - 3;
  if (rnd() & 1) de = (int)(rnd() % 3) - 1;
  if (e > 0 && e < 0x7fff && (int)e - de > 0 && (int)e - de < 0x7fff) e -= de;
  m += (int64_t)(rnd() % 5) - 2;
  m |= 0x8000000000000000ull;
  if (rnd() % 3 == 0) m = 0x8000000000000000ull | (rnd() % 8) << (rnd() % 61);
  mk(b, e | ((se ^ rnd() << 15) & 0x8000), m);
}

static unsigned short CWS[32];
static int ncw;

static void emit(int op) {
  rec12 r;
  unsigned short hdr[4] = {(unsigned short)op, g_cw, g_sw, 0};
  fwrite(hdr, 2, 4, stdout);
  memset(r.b, 0, 12); memcpy(r.b, g_a.b, 10); fwrite(&r, 12, 1, stdout);
  memset(r.b, 0, 12); memcpy(r.b, g_b.b, 10); fwrite(&r, 12, 1, stdout);
  memset(r.b, 0, 12); memcpy(r.b, g_r1.b, 10); fwrite(&r, 12, 1, stdout);
  memset(r.b, 0, 12); memcpy(r.b, g_r2.b, 10); fwrite(&r, 12, 1, stdout);
}

static void run(int op, int firstCw, int lastCw) {
  for (int c = firstCw; c < lastCw; c++) {
    g_cw = CWS[c];
    memset(g_r1.b, 0xa5, 10);
    memset(g_r2.b, 0xa5, 10);
    OPS[op].fn();
    emit(op);
  }
}

/* A source image for a load op: m32/m64 real, m16/m32/m64 integer or m80 BCD. */
static void rndLoad(int op, t80 *t) {
  uint64_t v = rnd();
  unsigned k = rnd() % 8;
  memset(t->b, 0, 10);
  if (op == 21) {
    uint32_t f = (uint32_t)v;
    if (k == 0) f &= 0x807fffff;                        /* zero / denormal */
    else if (k == 1) f |= 0x7f800000;                   /* inf / NaN */
    else if (k == 2) f = (f & 0x80000000) | 0x7f800000 | (rnd() % 2 ? 0x400000 : 1);
    else if (k == 3) f &= 0x80000000 | (rnd() % 2 ? 0x7f800000 : 0);
    memcpy(t->b, &f, 4);
  } else if (op == 22) {
    if (k == 0) v &= 0x800fffffffffffffull;
    else if (k == 1) v |= 0x7ff0000000000000ull;
    else if (k == 2) v = (v & 0x8000000000000000ull) | 0x7ff0000000000000ull | (rnd() % 2 ? 0x8000000000000ull : 1);
    else if (k == 3) v &= 0x8000000000000000ull | (rnd() % 2 ? 0x7ff0000000000000ull : 0);
    memcpy(t->b, &v, 8);
  } else if (op <= 25) {
    if (k == 0) v = 0;
    else if (k == 1) v = op == 23 ? 0x8000 : op == 24 ? 0x80000000ull : 0x8000000000000000ull;
    else if (k == 2) v >>= rnd() % 64;
    memcpy(t->b, &v, op == 23 ? 2 : op == 24 ? 4 : 8);
  } else {
    for (int i = 0; i < 9; i++) {
      unsigned d = rnd() % 100;
      if (k == 0 && i > 2) d = 0;
      t->b[i] = (unsigned char)((d / 10) << 4 | d % 10);
    }
    t->b[9] = (rnd() & 1) ? 0x80 : 0;
  }
}

/* In-domain random operands for the transcendental ops (A; B where it is an operand). */
static void rndTrans(int op, t80 *a, t80 *b) {
  uint64_t m = rnd() | 0x8000000000000000ull;
  unsigned k = rnd() % 8, e, s = (rnd() & 1) << 15;
  if (op <= 30) e = k < 5 ? 0x3ff8 + rnd() % 12 : k < 7 ? 0x4000 + rnd() % 63 : 0x3fc0 + rnd() % 0x40; /* trig: |x| < 2^63 */
  else if (op == 32) e = k < 6 ? 0x3fe0 + rnd() % 31 : 0x3f00 + rnd() % 0xe0;  /* f2xm1: |x| < 1 */
  else if (op == 34) e = k < 6 ? 0x3fe0 + rnd() % 29 : 0x3f00 + rnd() % 0xe0;  /* fyl2xp1: |x| < 0.25 */
  else e = k < 4 ? 0x3ff0 + rnd() % 32 : 1 + rnd() % 0x7ffe;                  /* fpatan, fyl2x */
  if (op == 33) s = 0;
  mk(a, e | s, m);
  if (op == 33 || op == 34) mk(b, (0x3ff0 + rnd() % 32) | (rnd() & 1) << 15, rnd() | 0x8000000000000000ull);
  else if (op == 31) rnd80(b);
}

int main(int argc, char **argv) {
  long nrand = argc > 1 ? atol(argv[1]) : 2000;
  rs = argc > 2 ? strtoull(argv[2], 0, 0) : 0x9e3779b97f4a7c15ull;
  int lastOp = argc > 3 ? atoi(argv[3]) : 26;
  int firstOp = argc > 4 ? atoi(argv[4]) : 0;
  /* Masked: PC 24/53/64 x RC nearest/down/up/zero; then all unmasked for PC 64 and 24 under each RC. */
  for (int pc = 0; pc < 4; pc++) {
    if (pc == 1) continue;
    for (int rc = 0; rc < 4; rc++) CWS[ncw++] = 0x007f | pc << 8 | rc << 10;
  }
  for (int rc = 0; rc < 4; rc++) CWS[ncw++] = 0x0040 | 3 << 8 | rc << 10;
  for (int rc = 0; rc < 4; rc++) CWS[ncw++] = 0x0040 | 0 << 8 | rc << 10;
  /* One exception unmasked at a time (IE, DE, ZE, OE, UE, PE), PC 53, RC nearest. */
  for (int x = 0; x < 6; x++) CWS[ncw++] = (0x027f & ~(1 << x));
  /* The reserved precision control 01, masked, RC nearest. */
  CWS[ncw++] = 0x017f;
  /* The specials: every pair (binary ops, under one control word picked at random) or every
     value under every control word. */
  for (int op = firstOp; op <= lastOp; op++) {
    int kind = OPS[op].kind;
    if (kind == K_LOD) continue;
    for (int i = 0; i < NSPECIAL; i++) {
      for (int s = 0; s < 2; s++) {
        mk(&g_a, SPECIAL[i].se | s << 15, SPECIAL[i].m);
        if (kind != K_BIN) {
          mk(&g_b, 0, 0);
          run(op, 0, ncw);
          continue;
        }
        for (int j = 0; j < NSPECIAL; j++) {
          mk(&g_b, SPECIAL[j].se | (j & 1) << 15, SPECIAL[j].m);
          int c = (int)(rnd() % ncw);
          run(op, c, c + 1);
        }
      }
    }
  }
  /* The random sweep. */
  for (long n = 0; n < nrand; n++) {
    for (int op = firstOp; op <= lastOp; op++) {
      int kind = OPS[op].kind;
      if (op >= 27) {
        mk(&g_b, 0, 0);
        rndTrans(op, &g_a, &g_b);
        int c = (int)(rnd() % ncw);
        run(op, c, c + 1);
        continue;
      }
      if (kind == K_LOD) {
        rndLoad(op, &g_a);
        mk(&g_b, 0, 0);
        int c = (int)(rnd() % ncw);
        run(op, c, c + 1);
        continue;
      }
      rnd80(&g_a);
      if (kind == K_BIN) {
        if (rnd() % 2) near80(&g_b, &g_a);
        else rnd80(&g_b);
      } else mk(&g_b, 0, 0);
      if (op >= 12 && op <= 20 && rnd() % 2) {
        /* stores: values near the integer and float32/64 ranges */
        uint64_t m = rnd() | 0x8000000000000000ull;
        unsigned e = 0x3fff + rnd() % 66;
        if (op == 18 || op == 19) e = (rnd() % 2 ? 0x3f60 + rnd() % 0x30 : 0x3bc0 + rnd() % 0x48);
        if (rnd() % 3 == 0) m &= ~0ull << (rnd() % 64);
        mk(&g_a, e | (rnd() & 1) << 15, m | 0x8000000000000000ull);
      }
      int c = (int)(rnd() % ncw);
      run(op, c, c + 1);
      c = (int)(rnd() % ncw);
      run(op, c, c + 1);
    }
  }
  return 0;
}
