/* Freestanding runtime shared by the differential test programs: no libc, only the
 * write(2) and exit(2) system calls through int $0x80, a 64 KiB output buffer, and
 * helpers that print hex words. Each program prints "## group" before every section
 * so the harness can compare (and report) each instruction group on its own. */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef int i32;

/* Arithmetic flags: CF PF AF ZF SF OF. */
#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define OF 0x800
#define ARITH (CF | PF | AF | ZF | SF | OF)

static char obuf[65536];
static u32 olen;

static inline int sys3(int n, int a, int b, int c) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}
static void flush(void) {
  if (olen) sys3(4, 1, (int)obuf, (int)olen);
  olen = 0;
}
static void pc(char c) {
  if (olen == sizeof obuf) flush();
  obuf[olen++] = c;
}
static void ps(const char *s) {
  while (*s) pc(*s++);
}
/* Prints v as `digits` lowercase hex digits. */
static void hx(u32 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) pc("0123456789abcdef"[(v >> (i * 4)) & 15]);
}
static void hxs(u32 v, int digits) { pc(' '); hx(v, digits); }
static void nl(void) { pc('\n'); }
static void section(const char *name) { ps("## "); ps(name); nl(); }
/* Flags word printed with the bits in `mask` only (undefined flags masked by the caller). */
static void fl(u32 f, u32 mask) { hxs(f & mask, 3); }

/* clang may emit calls to these even in freestanding code. */
void *memset(void *d, int c, unsigned n) { u8 *p = d; while (n--) *p++ = (u8)c; return d; }
void *memcpy(void *d, const void *s, unsigned n) { u8 *p = d; const u8 *q = s; while (n--) *p++ = *q++; return d; }

int main(void);
__attribute__((noreturn, used)) static void start_c(void) {
  int r = main();
  flush();
  sys3(1, r, 0, 0);
  for (;;) {}
}
__asm__(".globl _start\n_start:\n\txor %ebp,%ebp\n\tand $-16,%esp\n\tcall start_c\n\thlt\n");

#define N(a) (sizeof(a) / sizeof((a)[0]))
