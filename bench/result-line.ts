// The result lines the guest benchmark programs print (userland/bench/README.md):
//   bench <name> <param> ops=<n> ns=<total> ns_per_op=<x> [<key>=<value>...]
//   bench <name> <param> error=<what>
// Parsing them, and the part of a line that must not depend on the memory
// manager (everything but the measurements).

export interface ResultLine {
  name: string;
  param: string;
  ops: number;
  ns: number;
  nsPerOp: number;
  /** The trailing key=value fields, in order. */
  extra: [string, string][];
  /** The whole line as printed (no newline). */
  line: string;
}

export interface ErrorLine {
  name: string;
  param: string;
  error: string;
  line: string;
}

const RESULT = /^bench (\S+) (\S+) ops=(\d+) ns=(\d+) ns_per_op=(\d+)((?: \S+=\S*)*)$/;
const ERROR = /^bench (\S+) (\S+) error=(\S+)$/;

/**
 * Every result and error line in a program's output (other lines ignored; CR
 * stripped). Result: the lines in order of appearance.
 */
export function parseResultLines(output: string): { results: ResultLine[]; errors: ErrorLine[] } {
  const results: ResultLine[] = [];
  const errors: ErrorLine[] = [];
  for (const raw of output.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const e = ERROR.exec(line);
    if (e) {
      errors.push({ name: e[1], param: e[2], error: e[3], line });
      continue;
    }
    const m = RESULT.exec(line);
    if (!m) continue;
    const extra = m[6]
      .trim()
      .split(" ")
      .filter((s) => s.length > 0)
      .map((kv): [string, string] => {
        const i = kv.indexOf("=");
        return [kv.slice(0, i), kv.slice(i + 1)];
      });
    results.push({ name: m[1], param: m[2], ops: Number(m[3]), ns: Number(m[4]), nsPerOp: Number(m[5]), extra, line });
  }
  return { results, errors };
}

/** Programs whose `ops` is a measurement too (counted for a fixed guest time). */
export const TIMED_PROGRAMS: ReadonlySet<string> = new Set(["spawn", "execl"]);

/**
 * The design-independent part of a program's output: every line as printed,
 * with ns= and ns_per_op= (and ops= of the timed programs) replaced by "*".
 * Two runs of one program with the same arguments must give the same text
 * under every memory-manager design.
 */
export function normalizeOutput(output: string): string {
  return output
    .replace(/\r/g, "")
    .split("\n")
    .map((line) => {
      const m = /^bench (\S+) /.exec(line);
      if (!m) return line;
      let s = line.replace(/ ns=\d+/, " ns=*").replace(/ ns_per_op=\d+/, " ns_per_op=*");
      if (TIMED_PROGRAMS.has(m[1])) s = s.replace(/ ops=\d+/, " ops=*");
      return s;
    })
    .join("\n");
}
