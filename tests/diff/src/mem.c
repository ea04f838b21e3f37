/* Memory and segment group: accesses that cross page boundaries (loads, stores,
 * read-modify-write, lock-prefixed ops, string moves, pushes and calls on a stack placed
 * across a boundary; the test loader backs consecutive pages with non-adjacent frames),
 * self-modifying code (the program is linked with -N so its text is writable), far-pointer
 * loads (lds les lfs lgs lss), selector probes (lar lsl verr verw on the flat user
 * selectors 0x23/0x2b, which Linux and the test loader both use, and on ring-0 ones),
 * POPF of the ID/AC bits, 16-bit pusha/popa/pushf/enter/leave, and 16-bit ModRM
 * addressing of memory through a set_thread_area segment. */
#include "rt.h"

static u8 pg[4 * 4096] __attribute__((aligned(4096)));
#define EDGE (pg + 2 * 4096)

static void fillpg(void) {
  for (u32 i = 0; i < sizeof pg; i++) pg[i] = (u8)(i * 13 + 7);
}
static void dump(u32 from, u32 to) { /* bytes EDGE-from .. EDGE+to */
  pc(' ');
  for (u8 *p = EDGE - from; p < EDGE + to; p++) hx(*p, 2);
}

static void crossing(void) {
  section("page-crossing loads and stores");
  for (u32 k = 1; k <= 3; k++) {
    fillpg();
    u8 *p = EDGE - k;
    u32 r32, r16, w;
    __asm__ volatile("movl (%[p]), %[a]\n\tmovzwl (%[p]), %[b]" : [a] "=&r"(r32), [b] "=&r"(r16) : [p] "r"(p) : "memory");
    w = 0xa1b2c3d4;
    __asm__ volatile("movl %[w], (%[p])\n\tmovw %w[w], 4(%[p])" : : [w] "r"(w), [p] "r"(p) : "memory");
    hx(k, 1); ps(" >"); hxs(r32, 8); hxs(r16, 8); dump(4, 4); nl();
  }
  section("page-crossing read-modify-write");
  for (u32 k = 1; k <= 3; k++) {
    u32 f, x = 0x01020304, y = 0x7fffffff, old;
    fillpg();
    u8 *p = EDGE - k;
    __asm__ volatile("addl %[x], (%[p])\n\tnotl (%[p])\n\tincw (%[p])\n\tlock xaddl %[x], (%[p])\n\tlock btsl $17, (%[p])\n\t"
                     "lock cmpxchgl %[y], (%[p])\n\tpushfl\n\tpopl %[f]"
                     : [f] "=&r"(f), [x] "+r"(x), "=a"(old) : [p] "r"(p), [y] "r"(y), "a"(0x12345678) : "cc", "memory");
    hx(k, 1); ps(" >"); hxs(x, 8); hxs(old, 8); fl(f, ARITH); dump(4, 4); nl();
    fillpg();
    __asm__ volatile("lock xchgl %[x], (%[p])\n\trorl $5, (%[p])\n\tshldl $3, %[y], (%[p])\n\tlock decl (%[p])\n\tpushfl\n\tpopl %[f]"
                     : [f] "=&r"(f), [x] "+r"(x) : [p] "r"(p), [y] "r"(y) : "cc", "memory");
    hx(k, 1); ps(" >"); hxs(x, 8); fl(f, ARITH & ~AF & ~OF); dump(4, 4); nl();
  }
  section("page-crossing string moves");
  for (u32 k = 0; k <= 3; k++) {
    fillpg();
    u8 *src = EDGE - 6 - k, *dst = EDGE - 4096 - 5;
    u32 n = 5;
    __asm__ volatile("rep movsw" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
    src = EDGE + 100; dst = EDGE - 3 - k; n = 3;
    __asm__ volatile("rep movsl" : "+S"(src), "+D"(dst), "+c"(n) : : "memory");
    u32 a = 0x5a5a5a5a;
    dst = EDGE + 2 + k; n = 3;
    __asm__ volatile("std\n\trep stosl\n\tcld" : "+D"(dst), "+c"(n) : "a"(a) : "memory");
    hx(k, 1); ps(" >"); dump(14, 16); pc(' ');
    for (u8 *p = EDGE - 4096 - 5; p < EDGE - 4096 + 8; p++) hx(*p, 2);
    nl();
  }
  section("stack across a page boundary");
  for (u32 k = 0; k <= 3; k++) {
    fillpg();
    u32 r1, r2, r3;
    /* the stack pointer starts k bytes above the boundary: pushes straddle it */
    __asm__ volatile("movl %%esp, %%ebx\n\tmovl %[sp], %%esp\n\t"
                     "pushl $0x11223344\n\tpushw $0x5566\n\tpushl $0x778899aa\n\tcall 1f\n"
                     "1:\tpopl %%eax\n\tpopl %[r1]\n\tpopw %w[r2]\n\tpopl %[r3]\n\tmovl %%ebx, %%esp"
                     : [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3) : [sp] "r"(EDGE + 8 + k) : "eax", "ebx", "memory");
    hx(k, 1); ps(" >"); hxs(r1, 8); hxs(r2 & 0xffff, 4); hxs(r3, 8); dump(8, 8 + k); nl();
  }
}

/* Self-modifying code: smc_fn is `mov $imm32, %eax; ret` in the (writable) text. */
extern u8 smc_fn[];
__asm__(".text\n.globl smc_fn\nsmc_fn:\n\tmovl $0x11111111, %eax\n\tret\n");
static u32 call_smc(void) {
  u32 r;
  __asm__ volatile("call smc_fn" : "=a"(r) : : "ecx", "edx", "memory");
  return r;
}
static void smc(void) {
  section("self-modifying code");
  u32 sum = 0;
  hx(call_smc(), 8);
  for (u32 i = 0; i < 100; i++) {
    *(volatile u32 *)(smc_fn + 1) = i * 0x01010101u;
    sum += call_smc();
  }
  hxs(sum, 8);
  smc_fn[0] = 0xb9; /* mov $imm32, %ecx: EAX keeps its value */
  u32 r;
  __asm__ volatile("movl $0xabcdef01, %%eax\n\tcall smc_fn" : "=a"(r) : : "ecx", "edx", "memory");
  hxs(r, 8);
  smc_fn[0] = 0xb8;
  /* patch an instruction ahead of the running code, then jump to it */
  u32 v;
  __asm__ volatile("movb $0x42, 2f+1\n\tjmp 2f\n2:\tmovb $0x00, %%al\n\tmovzbl %%al, %0" : "=a"(v) : : "memory");
  hxs(v, 8);
  __asm__ volatile("movb $0x17, 3f+1\n\tjmp 3f\n3:\tmovb $0x00, %%al\n\tmovzbl %%al, %0" : "=a"(v) : : "memory");
  hxs(v, 8);
  nl();
}

__attribute__((used)) u32 saved_sp;

static void segs(void) {
  section("far pointer loads");
  {
    u16 ds;
    __asm__ volatile("movw %%ds, %0" : "=r"(ds));
    static u32 data[2] = {0xcafef00d, 0x0badf00d};
    struct __attribute__((packed)) { u32 off; u16 sel; } fp = {(u32)&data[1], ds};
    u32 a, b, c, d, e;
    /* the pointer to fp is in ESI: ESP-relative operands would be off after the pushes */
    __asm__ volatile("pushl %%ds\n\tpushl %%es\n\tpushl %%fs\n\tpushl %%gs\n\t"
                     "lfsl (%%esi), %%eax\n\tmovl %%fs:(%%eax), %[a]\n\t"
                     "lgsl (%%esi), %%eax\n\tmovl %%gs:-4(%%eax), %[b]\n\t"
                     "lesl (%%esi), %%eax\n\tmovl %%es:(%%eax), %[c]\n\t"
                     "movl %%esp, saved_sp\n\tlssl (%%esi), %%esp\n\tmovl %%ss:(%%esp), %[d]\n\tmovl saved_sp, %%esp\n\t"
                     "ldsl (%%esi), %%eax\n\tmovl -4(%%eax), %[e]\n\t"
                     "popl %%gs\n\tpopl %%fs\n\tpopl %%es\n\tpopl %%ds"
                     : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [d] "=&r"(d), [e] "=&r"(e)
                     : "S"(&fp) : "eax", "memory");
    hxs(a, 8); hxs(b, 8); hxs(c, 8); hxs(d, 8); hxs(e, 8); nl();
  }
  section("mov from segment registers");
  {
    u32 cs = 0xffffffff, ds = 0xffffffff, ss = 0xffffffff, es = 0xffffffff;
    u16 m = 0x7777;
    __asm__ volatile("movl %%cs, %0\n\tmovl %%ds, %1\n\tmovl %%ss, %2\n\tmovl %%es, %3\n\tmovw %%ds, %4" : "+r"(cs), "+r"(ds), "+r"(ss), "+r"(es), "=m"(m));
    /* upper 16 bits of a 32-bit destination are undefined on the 486 (zero on later CPUs): masked */
    hxs(cs & 0xffff, 4); hxs(ds & 0xffff, 4); hxs(ss & 0xffff, 4); hxs(es & 0xffff, 4); hxs(m, 4); nl();
  }
  section("lar lsl verr verw");
  {
    static const u32 sels[] = {0x23, 0x2b, 0x0, 0x8, 0x10, 0x18, 0x1b, 0x2a};
    for (u32 i = 0; i < N(sels); i++) {
      u32 ar = 0xdead, lim = 0xbeef, z1, z2, zr, zw;
      __asm__ volatile("larl %[s], %[ar]\n\tsetz %b[z1]\n\tlsll %[s], %[lim]\n\tsetz %b[z2]\n\tverr %w[s]\n\tsetz %b[zr]\n\tverw %w[s]\n\tsetz %b[zw]"
                       : [ar] "+r"(ar), [lim] "+r"(lim), [z1] "=q"(z1), [z2] "=q"(z2), [zr] "=q"(zr), [zw] "=q"(zw) : [s] "r"(sels[i]) : "cc");
      hx(sels[i], 4); ps(" >"); hxs(ar, 8); hxs(z1 & 1, 1); hxs(lim, 8); hxs(z2 & 1, 1); hxs(zr & 1, 1); hxs(zw & 1, 1); nl();
    }
  }
}

static void flagsbits(void) {
  section("popf ID AC and arithmetic bits");
  static const u32 pats[] = {0x240cd5, 0x200000, 0x040000, 0x000cd5, 0x000400};
  for (u32 i = 0; i < N(pats); i++) {
    u32 f0, f1;
    __asm__ volatile("pushfl\n\tpopl %0\n\tmovl %0, %1\n\txorl %2, %1\n\tpushl %1\n\tpopfl\n\tpushfl\n\tpopl %1\n\tpushl %0\n\tpopfl"
                     : "=&r"(f0), "=&r"(f1) : "r"(pats[i]) : "cc");
    hx(pats[i], 8); ps(" >"); hxs((f0 ^ f1) & 0x240cd5, 8); nl();
  }
  section("16-bit pusha popa pushf enter leave");
  {
    u32 out[12];
    __asm__ volatile(
        "pushl %%ebp\n\tpushl %%ebx\n\tpushl %%esi\n\tpushl %%edi\n\t"
        "movl %%esp, saved_sp\n\tmovl $0x5555eeee, %%ebp\n\t"
        "movl $0x1111a1a1, %%eax\n\tmovl $0x2222b2b2, %%ebx\n\tmovl $0x3333c3c3, %%esi\n\tmovl $0x4444d4d4, %%edi\n\t"
        "pushaw\n\t"
        "movl saved_sp, %%ecx\n\tsubl %%esp, %%ecx\n\tmovl %%ecx, 0(%%edx)\n\t"       /* 16 bytes */
        "movzwl 14(%%esp), %%ecx\n\tmovl %%ecx, 4(%%edx)\n\t"                      /* AX slot */
        "movzwl 8(%%esp), %%ecx\n\tmovl %%ecx, 8(%%edx)\n\t"                       /* BX slot */
        "movw $0x9999, 14(%%esp)\n\tmovw $0x8888, 2(%%esp)\n\tmovw $0x7777, 6(%%esp)\n\t"
        "popaw\n\t"
        "movl %%eax, 12(%%edx)\n\tmovl %%esi, 16(%%edx)\n\tmovl %%ebp, 20(%%edx)\n\t"
        "popl %%edi\n\tpopl %%esi\n\tpopl %%ebx\n\tpopl %%ebp\n\t"
        "movl %%esp, %%ecx\n\tpushfw\n\tsubl %%esp, %%ecx\n\tmovl %%ecx, 24(%%edx)\n\tpopfw\n\t"
        "pushl %%ebp\n\tmovl %%esp, %%ebp\n\tmovl %%esp, %%ecx\n\t.byte 0x66, 0xc8, 8, 0, 0\n\tsubl %%esp, %%ecx\n\tmovl %%ecx, 28(%%edx)\n\t.byte 0x66, 0xc9\n\tpopl %%ebp\n\t"
        : : "d"(out) : "eax", "ecx", "memory");
    for (u32 i = 0; i < 8; i++) hxs(out[i], 8);
    nl();
  }
}

/* 16-bit ModRM memory operands through FS = a set_thread_area segment based at seg. */
static u8 seg[65536 + 16] __attribute__((aligned(16)));
static u32 tls_sel;
struct user_desc { u32 entry_number, base_addr, limit, flags; };

static void addr16(void) {
  section("16-bit addressing through fs");
  struct user_desc ud = {0xffffffff, (u32)seg, 0xfffff, 0x51};
  if (sys3(243, (int)&ud, 0, 0) != 0) { ps("set_thread_area failed\n"); return; }
  tls_sel = ud.entry_number * 8 + 3;
  for (u32 i = 0; i < sizeof seg; i++) seg[i] = (u8)(i ^ (i >> 8) ^ 0x5a);
  static const u32 bxs[] = {0x0010, 0xff00, 0x8000};
  static const u32 sis[] = {0x0002, 0x0200, 0xfff0};
  for (u32 a = 0; a < N(bxs); a++)
    for (u32 b = 0; b < N(sis); b++) {
      u32 r[8];
      __asm__ volatile(
          "pushl %%fs\n\tpushl %%ebp\n\tmovl %[sel], %%eax\n\tmovw %%ax, %%fs\n\tmovl %%edi, %%ebp\n\txorl $0x1234, %%ebp\n\t"
          ".byte 0x67, 0x64, 0x8b, 0x00\n\tmovl %%eax, 0(%[r])\n\t"               /* [bx+si] */
          ".byte 0x67, 0x64, 0x8b, 0x41, 0x80\n\tmovl %%eax, 4(%[r])\n\t"         /* [bx+di-0x80] */
          ".byte 0x67, 0x64, 0x8b, 0x82, 0x00, 0x90\n\tmovl %%eax, 8(%[r])\n\t"   /* [bp+si+0x9000] */
          ".byte 0x67, 0x64, 0x8b, 0x04\n\tmovl %%eax, 12(%[r])\n\t"              /* [si] */
          ".byte 0x67, 0x64, 0x8b, 0x46, 0x7f\n\tmovl %%eax, 16(%[r])\n\t"        /* [bp+0x7f] */
          ".byte 0x67, 0x64, 0x8b, 0x06, 0xfe, 0xff\n\tmovl %%eax, 20(%[r])\n\t"  /* [0xfffe] */
          ".byte 0x67, 0x64, 0x66, 0x8b, 0x87, 0xff, 0x7f\n\tmovl %%eax, 24(%[r])\n\t" /* ax, [bx+0x7fff] */
          ".byte 0x67, 0x64, 0x8b, 0x05\n\tmovl %%eax, 28(%[r])\n\t"              /* [di] */
          "popl %%ebp\n\tpopl %%fs"
          : : "b"(bxs[a]), "S"(sis[b]), "D"(sis[b] ^ 0x5555), [r] "c"(r), [sel] "m"(tls_sel) : "eax", "memory");
      hx(bxs[a], 4); hxs(sis[b], 4); ps(" >");
      for (u32 i = 0; i < 8; i++) hxs(r[i], 8);
      nl();
    }
}

int main(void) {
  crossing();
  smc();
  segs();
  flagsbits();
  addr16();
  return 0;
}
