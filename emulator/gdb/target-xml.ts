// The i386 target description gdb reads with qXfer:features:read. gdb's i386
// architecture requires the x87 registers in the core feature (its
// num_core_regs counts them), so they are described; the machine has no FPU
// and the stub reads them as zero and ignores writes to them.

const GPRS: [string, string][] = [
  ["eax", "int32"], ["ecx", "int32"], ["edx", "int32"], ["ebx", "int32"],
  ["esp", "data_ptr"], ["ebp", "data_ptr"], ["esi", "int32"], ["edi", "int32"],
  ["eip", "code_ptr"], ["eflags", "i386_eflags"],
  ["cs", "int32"], ["ss", "int32"], ["ds", "int32"], ["es", "int32"], ["fs", "int32"], ["gs", "int32"],
];
const X87_CONTROL = ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"];
const EFLAGS_FIELDS: [string, number][] = [
  ["CF", 0], ["", 1], ["PF", 2], ["AF", 4], ["ZF", 6], ["SF", 7], ["TF", 8], ["IF", 9], ["DF", 10], ["OF", 11],
  ["NT", 14], ["RF", 16], ["VM", 17], ["AC", 18], ["VIF", 19], ["VIP", 20], ["ID", 21],
];

/** Number of registers in the description (16 general + 8 st + 8 x87 control) and the g-packet layout. */
export const REG_COUNT = 32;
/** Byte size of register n in the g packet. */
export function regSize(n: number): number {
  return n >= 16 && n < 24 ? 10 : 4;
}

/** The whole target.xml. */
export function targetXml(): string {
  const lines = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    "<architecture>i386</architecture>",
    '<feature name="org.gnu.gdb.i386.core">',
    '<flags id="i386_eflags" size="4">',
    ...EFLAGS_FIELDS.map(([n, b]) => `<field name="${n}" start="${b}" end="${b}"/>`),
    "</flags>",
    ...GPRS.map(([n, t], i) => `<reg name="${n}" bitsize="32" type="${t}" regnum="${i}"/>`),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `<reg name="st${i}" bitsize="80" type="i387_ext" regnum="${16 + i}"/>`),
    ...X87_CONTROL.map((n, i) => `<reg name="${n}" bitsize="32" type="int" group="float" regnum="${24 + i}"/>`),
    "</feature>",
    "</target>",
  ];
  return lines.join("\n") + "\n";
}
