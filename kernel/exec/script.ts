// "#!" scripts (binfmt_script): the interpreter path and one optional argument
// from the first line, within the first BINPRM_BUF_SIZE - 1 bytes of the file.
// As Linux does, a line that does not end within the buffer is accepted only
// if the interpreter path itself is complete (followed by a space, tab or NUL);
// a truncated optional argument is fine.

import { Errno } from "../errno.ts";

/** Bytes of the file exec looks at (Linux used 128 until 5.0; 256 since). */
export const BINPRM_BUF_SIZE = 128;

export interface ScriptLine {
  interp: string;
  /** The optional argument (everything after the path up to the line end, trailing blanks trimmed), or null. */
  arg: string | null;
}

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * Parse the start of a file. null: not a script (no "#!"); -ENOEXEC: a
 * script whose line is malformed (no interpreter, or its path truncated).
 */
export function parseScript(head: Uint8Array, bufSize = BINPRM_BUF_SIZE): ScriptLine | null | number {
  const buf = new Uint8Array(bufSize); // zero padded like bprm->buf
  buf.set(head.subarray(0, bufSize));
  if (buf[0] !== 0x23 || buf[1] !== 0x21) return null;
  const bufEnd = bufSize - 1; // buf[bufEnd] is treated as the string end
  let end = buf.indexOf(0x0a);
  if (end < 0 || end > bufEnd) {
    let i = 2;
    while (i < bufEnd && isBlank(buf[i])) i++;
    if (i >= bufEnd) return -Errno.ENOEXEC; // only blanks
    let j = i;
    while (j < bufEnd && !isBlank(buf[j]) && buf[j] !== 0) j++;
    if (j >= bufEnd) return -Errno.ENOEXEC; // interpreter path truncated
    end = bufEnd;
  }
  while (end > 2 && isBlank(buf[end - 1])) end--;
  let i = 2;
  while (i < end && isBlank(buf[i])) i++;
  if (i >= end || buf[i] === 0) return -Errno.ENOEXEC;
  let j = i;
  while (j < end && !isBlank(buf[j]) && buf[j] !== 0) j++;
  const interp = String.fromCharCode(...buf.subarray(i, j));
  let arg: string | null = null;
  if (j < end && buf[j] !== 0) {
    let k = j;
    while (k < end && isBlank(buf[k])) k++;
    if (k < end) {
      let e = k;
      while (e < end && buf[e] !== 0) e++;
      arg = String.fromCharCode(...buf.subarray(k, e));
    }
  }
  return { interp, arg };
}

/** The argv the interpreter gets: interp, [arg], the script path, then argv[1..]. */
export function scriptArgv(line: ScriptLine, scriptPath: string, argv: readonly string[]): string[] {
  const out = [line.interp];
  if (line.arg !== null) out.push(line.arg);
  out.push(scriptPath);
  for (let i = 1; i < argv.length; i++) out.push(argv[i]);
  return out;
}
