// GDB Remote Serial Protocol framing: `$payload#cs` packets with a modulo-256
// checksum, `+`/`-` acknowledgements, `}`-escaping, and the out-of-band
// interrupt byte 0x03 (Ctrl-C). Pure functions plus an incremental parser.

/** Hex of bytes, two lowercase digits each. */
export function toHex(bytes: Uint8Array | readonly number[]): string {
  let s = "";
  for (const b of bytes) s += (b & 0xff).toString(16).padStart(2, "0");
  return s;
}

/** Bytes from hex digits; null when malformed. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A 32-bit value as 8 hex digits in target (little-endian) byte order. */
export function le32(v: number): string {
  return toHex([v, v >>> 8, v >>> 16, v >>> 24]);
}

/** Parses 8 little-endian hex digits; NaN when malformed. */
export function parseLe32(hex: string): number {
  const b = fromHex(hex);
  if (!b || b.length !== 4) return NaN;
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

/** Frames a payload as a packet (escaping $ # } *). */
export function framePacket(payload: string): string {
  let body = "";
  for (const ch of payload) {
    if (ch === "$" || ch === "#" || ch === "}" || ch === "*") body += "}" + String.fromCharCode(ch.charCodeAt(0) ^ 0x20);
    else body += ch;
  }
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xff;
  return `$${body}#${sum.toString(16).padStart(2, "0")}`;
}

/** What the parser found in the byte stream. */
export type RspEvent = { kind: "packet"; payload: string } | { kind: "interrupt" } | { kind: "bad-checksum" };

/** Incremental parser of the client's byte stream (latin1 strings in, events out). */
export class RspParser {
  private buf = "";

  /** Feeds received bytes; returns the complete events in order. */
  feed(data: string): RspEvent[] {
    const out: RspEvent[] = [];
    this.buf += data;
    for (;;) {
      const b = this.buf;
      if (b.length === 0) break;
      const c = b[0];
      if (c === "\x03") {
        out.push({ kind: "interrupt" });
        this.buf = b.slice(1);
        continue;
      }
      if (c !== "$") {
        this.buf = b.slice(1); // acks and noise
        continue;
      }
      const hash = b.indexOf("#");
      if (hash < 0 || b.length < hash + 3) break;
      const raw = b.slice(1, hash);
      const cs = parseInt(b.slice(hash + 1, hash + 3), 16);
      this.buf = b.slice(hash + 3);
      let sum = 0;
      for (let i = 0; i < raw.length; i++) sum = (sum + raw.charCodeAt(i)) & 0xff;
      if (sum !== cs) {
        out.push({ kind: "bad-checksum" });
        continue;
      }
      let payload = "";
      for (let i = 0; i < raw.length; i++) {
        if (raw[i] === "}" && i + 1 < raw.length) payload += String.fromCharCode(raw.charCodeAt(++i) ^ 0x20);
        else payload += raw[i];
      }
      out.push({ kind: "packet", payload });
    }
    return out;
  }
}
