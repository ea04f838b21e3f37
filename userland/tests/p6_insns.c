/* The P6 integer instructions a Debian i386 (i686) binary uses: CMOVcc for
 * every condition after CMP of several operand pairs (checked against the
 * same condition computed by SETcc), CMPXCHG8B in both outcomes, the
 * multi-byte NOP, and CPUID's feature bits for them. */
#include <stdint.h>

#include "check.h"

#define CMOV(cc)                                                                         \
	static uint32_t cmov_##cc(uint32_t a, uint32_t b)                                \
	{                                                                                \
		uint32_t r = 1;                                                          \
		__asm__("cmp %2, %1\n\tcmov" #cc " %3, %0" : "+r"(r) : "r"(a), "r"(b), "r"(2u) : "cc"); \
		return r;                                                                \
	}                                                                                \
	static uint32_t set_##cc(uint32_t a, uint32_t b)                                 \
	{                                                                                \
		uint8_t r;                                                               \
		__asm__("cmp %2, %1\n\tset" #cc " %0" : "=q"(r) : "r"(a), "r"(b) : "cc");   \
		return r ? 2 : 1;                                                        \
	}
CMOV(o) CMOV(no) CMOV(b) CMOV(ae) CMOV(e) CMOV(ne) CMOV(be) CMOV(a)
CMOV(s) CMOV(ns) CMOV(p) CMOV(np) CMOV(l) CMOV(ge) CMOV(le) CMOV(g)

typedef uint32_t (*op_fn)(uint32_t, uint32_t);
static const op_fn CMOVS[16] = {cmov_o, cmov_no, cmov_b, cmov_ae, cmov_e, cmov_ne, cmov_be, cmov_a,
				cmov_s, cmov_ns, cmov_p, cmov_np, cmov_l, cmov_ge, cmov_le, cmov_g};
static const op_fn SETS[16] = {set_o, set_no, set_b, set_ae, set_e, set_ne, set_be, set_a,
			       set_s, set_ns, set_p, set_np, set_l, set_ge, set_le, set_g};

static int cmpxchg8b(volatile uint64_t *p, uint64_t *expect, uint64_t desired)
{
	uint32_t lo = (uint32_t)*expect, hi = (uint32_t)(*expect >> 32);
	uint8_t ok;
	__asm__ volatile("lock cmpxchg8b %1\n\tsetz %0"
			 : "=q"(ok), "+m"(*p), "+a"(lo), "+d"(hi)
			 : "b"((uint32_t)desired), "c"((uint32_t)(desired >> 32))
			 : "cc", "memory");
	*expect = (uint64_t)hi << 32 | lo;
	return ok;
}

int main(void)
{
	static const uint32_t pairs[][2] = {{1, 2}, {2, 1}, {5, 5}, {0x80000000u, 1}, {0x7fffffffu, 0xffffffffu},
					    {0, 0x80000000u}, {3, 0}, {0xffffffffu, 0xffffffffu}};
	int bad = 0;
	for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		for (int c = 0; c < 16; c++)
			if (CMOVS[c](pairs[i][0], pairs[i][1]) != SETS[c](pairs[i][0], pairs[i][1]))
				bad++;
	check(bad == 0, "cmov_all_conditions", "%d of %u cases moved when SETcc disagreed", bad,
	      (unsigned)(16 * sizeof pairs / sizeof pairs[0]));

	volatile uint64_t q = 0x1122334455667788ull;
	uint64_t e = 0x1122334455667788ull;
	check(cmpxchg8b(&q, &e, 0xaaaabbbbccccddddull) && q == 0xaaaabbbbccccddddull, "cmpxchg8b_equal",
	      "value %#llx", (unsigned long long)q);
	e = 1;
	check(!cmpxchg8b(&q, &e, 5) && e == 0xaaaabbbbccccddddull && q == 0xaaaabbbbccccddddull,
	      "cmpxchg8b_unequal", "loaded %#llx", (unsigned long long)e);

	uint32_t x = 7;
	__asm__ volatile(".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t" /* nop dword [eax+eax*1+0] */
			 ".byte 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00\n\t"
			 "inc %0"
			 : "+r"(x)
			 : "a"(0)
			 : "memory");
	check(x == 8, "multibyte_nop", "x %u", x);

	uint32_t a = 1, b, cx, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(cx), "=d"(d));
	check((d & (1u << 15)) && (d & (1u << 8)), "cpuid_cmov_cx8", "CPUID.1 EDX %#x lacks CMOV or CX8", d);
	return check_result();
}
