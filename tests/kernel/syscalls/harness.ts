// A small fake Kernel for driving system call handlers: a real MmContext over
// an in-memory PhysMem (user pointers are real user memory of a real mm), a
// cycle counter the test advances, jiffy timers, a serial sink, and signal
// recorders. `call` mimics Kernel.syscall's WOULD_BLOCK handling.

import type { Kernel, KernelTimer, TimerFn } from "../../../kernel/kernel.ts";
import { Task, TaskState } from "../../../kernel/proc/task.ts";
import { makeHarness } from "../mm/helpers.ts";
import { doMmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from "../../../kernel/mm/mmap.ts";
import { copyFromUser, copyToUser } from "../../../kernel/mm/uaccess.ts";
import type { Syscalls } from "../../../kernel/syscalls/table.ts";
import { syscallName } from "../../../kernel/syscalls/numbers.ts";
import { newKernelSyscalls } from "../../../kernel/boot.ts";
import { setRealtimeEpoch, CPU_HZ } from "../../../kernel/syscalls/time-clock.ts";
import { bootFs, type InitrdArchive } from "../../../kernel/fs-boot.ts";
import { WOULD_BLOCK } from "../../../kernel/wait.ts";

/** Base of the 64 KiB read-write user buffer every test task has mapped. */
export const UBUF = 0x10000000;
export const UBUF_SIZE = 0x10000;
export const EPOCH = 1_700_000_000;
const CYCLES_PER_TICK = CPU_HZ / 100;

export interface FakeKernel {
  k: Kernel;
  table: Syscalls;
  serialOut: number[];
  signals: [number, number][];
  groupSignals: [number, number][];
  /** Advance guest time by n ticks, firing due timers. */
  tick(n?: number): void;
  newTask(pid: number): Task;
  call(t: Task, nr: number, ...args: number[]): number;
  put(t: Task, va: number, data: Uint8Array | string): void;
  get(t: Task, va: number, len: number): Uint8Array;
  putStr(t: Task, va: number, s: string): number;
  serialText(): string;
}

export function makeKernel(archives: InitrdArchive[] = [{ name: "test.cpio", data: newc([{ name: "bin", mode: 0o40755 }]) }]): FakeKernel & { boot: ReturnType<typeof bootFs> } {
  const h = makeHarness("vma");
  let cycles = 0;
  const timers: KernelTimer[] = [];
  const serialOut: number[] = [];
  const signals: [number, number][] = [];
  const groupSignals: [number, number][] = [];
  const tasks = new Map<number, Task>();
  const k = {
    x86: {
      cycles: () => cycles,
      charge: (c: number) => {
        cycles += c;
      },
      outb: () => {},
      inb: () => 0,
      inl: () => 0xffffffff, // no device answers (no host-folder device: hostfs mounts nothing)
      outl: () => {},
    },
    mmctx: h.ctx,
    uts: { node: "vmalab", domain: "(none)" }, // Kernel.uts
    tasks,
    jiffies: 0,
    needResched: false,
    timers,
    addTimer<T>(due: number, fire: TimerFn<T>, data: T) {
      timers.push({ due, fire: fire as TimerFn<unknown>, data });
    },
    wakeUp(t: Task) {
      if (t.state === TaskState.Sleeping) t.state = TaskState.Runnable;
    },
    serial: { write: (b: Uint8Array) => serialOut.push(...b) },
    onConsoleInput: (_b: number) => {},
    sendSignal(t: Task, sig: number) {
      signals.push([t.pid, sig]);
      t.pending.add(sig);
      if (t.state === TaskState.Sleeping) t.state = TaskState.Runnable;
      return 0;
    },
    sendSignalToGroup(pg: number, sig: number) {
      groupSignals.push([pg, sig]);
      return 0;
    },
    idle: new Task(0, null),
    current: null as unknown as Task,
  };
  const kernel = k as unknown as Kernel;
  setRealtimeEpoch(kernel, EPOCH);
  const boot = bootFs(kernel, archives);
  // The kernel's own table. This fake backs the file, time, id, limit, uname,
  // sysinfo, sched and random calls; the process, memory, signal and IPC calls
  // need more of the real Kernel than it has.
  const table = newKernelSyscalls();

  const fk = {
    k: kernel,
    table,
    serialOut,
    signals,
    groupSignals,
    boot,
    tick(n = 1) {
      for (let i = 0; i < n; i++) {
        cycles += CYCLES_PER_TICK;
        k.jiffies++;
        const due = timers.filter((x) => x.due <= k.jiffies);
        for (let j = timers.length - 1; j >= 0; j--) if (timers[j].due <= k.jiffies) timers.splice(j, 1);
        for (const x of due) x.fire(kernel, x.data);
      }
    },
    newTask(pid: number): Task {
      const t = new Task(pid, k);
      t.mm = h.newMm();
      const r = doMmap(t.mm, null, UBUF, UBUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
      if (r !== UBUF) throw new Error(`mmap failed: ${r}`);
      if (!boot.ok) throw new Error(boot.message);
      t.fs = boot.fs.clone();
      t.files = boot.files.fork();
      t.pgid = 1;
      t.sid = 1;
      tasks.set(pid, t);
      k.current = t;
      return t;
    },
    call(t: Task, nr: number, ...args: number[]): number {
      const hnd = table[nr];
      if (!hnd) throw new Error(`no syscall ${syscallName(nr)} (${nr})`);
      const a = [...args, 0, 0, 0, 0, 0, 0];
      k.current = t;
      const r = hnd(kernel, t, a[0] | 0, a[1] | 0, a[2] | 0, a[3] | 0, a[4] | 0, a[5] | 0);
      if (r === WOULD_BLOCK) {
        t.syscallRestart = true;
        if (t.state === TaskState.Runnable) t.state = TaskState.Sleeping;
      } else {
        t.syscallRestart = false;
      }
      return r;
    },
    put(t: Task, va: number, data: Uint8Array | string) {
      const b = typeof data === "string" ? Uint8Array.from(data, (c) => c.charCodeAt(0)) : data;
      if (copyToUser(t.mm!, va, b) !== 0) throw new Error("put: fault");
    },
    get(t: Task, va: number, len: number): Uint8Array {
      const r = copyFromUser(t.mm!, va, len);
      if (typeof r === "number") throw new Error("get: fault");
      return r;
    },
    putStr(t: Task, va: number, s: string): number {
      fk.put(t, va, s + "\0");
      return va;
    },
    serialText(): string {
      return String.fromCharCode(...serialOut);
    },
  };
  return fk;
}

export interface Ent {
  name: string;
  mode: number;
  data?: string;
}

/** A minimal cpio newc writer for tests. */
export function newc(ents: Ent[]): Uint8Array {
  const out: number[] = [];
  const pad = (): void => {
    while (out.length % 4) out.push(0);
  };
  const hx = (n: number): string => n.toString(16).padStart(8, "0");
  let ino = 100;
  for (const e of [...ents, { name: "TRAILER!!!", mode: 0 }]) {
    const data = e.data ?? "";
    const fields = [ino++, e.mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, e.name.length + 1, 0];
    for (const c of "070701" + fields.map(hx).join("") + e.name + "\0") out.push(c.charCodeAt(0));
    pad();
    for (const c of data) out.push(c.charCodeAt(0));
    pad();
  }
  return Uint8Array.from(out);
}

export const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.length);
export const text = (b: Uint8Array): string => String.fromCharCode(...b);
