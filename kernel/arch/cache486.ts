// The Intel486's on-chip cache as the kernel's own memory accesses see it, so
// that kernel work over cold data (a fork walking page tables it has not
// touched lately) costs what a 486 pays for line fills. Guest instructions are
// not run through it: the CPU's timing is the cache-hit timing of docs/timing.md.
//
// Geometry and policy, from the Intel486 Microprocessor Family Programmer's
// Reference Manual (1992) and the Intel486 DX2 Data Book: 8 KiB, four-way set
// associative, 16-byte lines (128 sets); pseudo-LRU replacement with three
// bits per set; write-through with no allocation on a write miss. A line fill
// is a burst read of four 32-bit transfers, at best 2-1-1-1 bus clocks; the
// DX2's core runs at twice its bus clock, so a fill costs 10 core cycles.

const SETS = 128;
const WAYS = 4;
const LINE_SHIFT = 4;

/** Core cycles of one line fill on a read miss (a zero-wait-state 2-1-1-1 burst at half the core clock). */
export const LINE_FILL = 10;

export class Cache486 {
  /** Line address (pa >>> 4) held by each way of each set, -1 when invalid. */
  private readonly tags = new Int32Array(SETS * WAYS).fill(-1);
  /** Pseudo-LRU bits per set: bit 0 chooses the pair to replace next, bit 1 the way in pair 0-1, bit 2 in pair 2-3. */
  private readonly plru = new Uint8Array(SETS);
  /** Read misses (line fills) since boot. */
  fills = 0;

  /** Looks up the line holding pa for a read; fills it on a miss. Result: the cycles beyond a hit (0 or LINE_FILL). */
  read(pa: number): number {
    const line = pa >>> LINE_SHIFT;
    const set = line & (SETS - 1);
    const base = set * WAYS;
    const t = this.tags;
    for (let w = 0; w < WAYS; w++) {
      if (t[base + w] === line) {
        this.touch(set, w);
        return 0;
      }
    }
    let victim = -1;
    for (let w = 0; w < WAYS; w++) if (t[base + w] === -1) { victim = w; break; }
    if (victim < 0) {
      const b = this.plru[set];
      victim = b & 1 ? 2 + ((b >> 2) & 1) : (b >> 1) & 1;
    }
    t[base + victim] = line;
    this.touch(set, victim);
    this.fills++;
    return LINE_FILL;
  }

  /** Reads every line of [pa, pa + len). Result: the cycles of the fills beyond hits. */
  readRange(pa: number, len: number): number {
    if (len <= 0) return 0;
    let cycles = 0;
    const last = (pa + len - 1) >>> LINE_SHIFT;
    for (let line = pa >>> LINE_SHIFT; line <= last; line++) cycles += this.read(line << LINE_SHIFT);
    return cycles;
  }

  /** A write: write-through, so it costs nothing here and allocates nothing; a cached line stays valid and is marked used. */
  write(pa: number): void {
    const line = pa >>> LINE_SHIFT;
    const set = line & (SETS - 1);
    const base = set * WAYS;
    for (let w = 0; w < WAYS; w++) {
      if (this.tags[base + w] === line) {
        this.touch(set, w);
        return;
      }
    }
  }

  /** Forgets every line (INVD, or a machine reset). */
  invalidate(): void {
    this.tags.fill(-1);
    this.plru.fill(0);
  }

  /** Points the set's bits away from way w, the one just used. */
  private touch(set: number, w: number): void {
    let b = this.plru[set];
    if (w < 2) b = (b | 1) & ~2 | (w === 0 ? 2 : 0);
    else b = (b & ~1 & ~4) | (w === 2 ? 4 : 0);
    this.plru[set] = b;
  }
}
