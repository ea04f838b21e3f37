import { describe, it, expect } from "vitest";
import { makeWorld, bytes, str } from "./world.ts";
import { Errno } from "../../../kernel/errno.ts";
import { Procfs, ProcDir, procFile, procLink } from "../../../kernel/procfs/fs.ts";
import { addSystemFiles, formatMeminfo, formatUptime } from "../../../kernel/procfs/formats.ts";
import { createTmpfs, tmpfsUsage } from "../../../kernel/fs/tmpfs.ts";
import { lookupAt, sysOpen, sysClose, sysChdir, sysGetcwd, sysFtruncate, AT_FDCWD } from "../../../kernel/fs/open.ts";
import { sysMkdir, sysReadlinkat, sysUnlink } from "../../../kernel/fs/dirops.ts";
import { sysRead, sysWrite, sysLlseek } from "../../../kernel/fs/readwrite.ts";
import { sysStat64 } from "../../../kernel/fs/stat.ts";
import { sysGetdents64 } from "../../../kernel/fs/readdir.ts";
import { O_RDONLY, O_WRONLY, O_CREAT, O_DIRECTORY } from "../../../kernel/fs/file.ts";
import { mkdev } from "../../../kernel/fs/mode.ts";

function names(buf: Uint8Array): string[] {
  const out: string[] = [];
  for (let p = 0; p < buf.length; ) {
    const reclen = buf[p + 16] | (buf[p + 17] << 8);
    let e = p + 19;
    while (buf[e] !== 0) e++;
    out.push(String.fromCharCode(...buf.subarray(p + 19, e)));
    p += reclen;
  }
  return out;
}

function mountAt(w: ReturnType<typeof makeWorld>, path: string, sb: Parameters<typeof w.ns.mount>[0]) {
  sysMkdir(w.caller, path, 0o555);
  const at = lookupAt(w.caller, AT_FDCWD, path, true);
  if (typeof at === "number") throw new Error("mountpoint");
  expect(w.ns.mount(sb, at)).toBe(0);
}

describe("procfs", () => {
  function withProc() {
    const w = makeWorld();
    const pids = new Map<number, string>([[1, "init"], [7, "sh"]]);
    let current = 7;
    const proc = new Procfs(mkdev(0, 4), w.clock);
    proc.root.addProvider(() =>
      [...pids].map(([pid, comm]) => [String(pid), new ProcDir().add("comm", procFile(() => comm + "\n")).add("cwd", procLink(() => "/"))]),
    );
    proc.root.add("self", procLink(() => String(current)));
    addSystemFiles(proc.root, {
      meminfo: () => ({ MemTotal: 65536, MemFree: 60000, MemAvailable: 61000, Cached: 12, Committed_AS: 123456789 }),
      uptimeCentis: () => 12345,
      idleCentis: () => 10007,
    });
    mountAt(w, "/proc", proc.sb);
    return { w, pids, proc, setCurrent: (p: number) => (current = p) };
  }
  const cat = (w: ReturnType<typeof makeWorld>, p: string) => {
    const fd = sysOpen(w.caller, p, O_RDONLY, 0);
    if (fd < 0) return `errno:${fd}`;
    let s = "";
    for (;;) {
      const r = sysRead(w.caller, fd, 7);
      if (typeof r === "number" || r.length === 0) break;
      s += str(r);
    }
    sysClose(w.caller, fd);
    return s;
  };

  it("lists fixed and dynamic entries and generates file text on open", () => {
    const { w, pids } = withProc();
    const fd = sysOpen(w.caller, "/proc", O_RDONLY | O_DIRECTORY, 0);
    expect(names(sysGetdents64(w.caller, fd, 4096) as Uint8Array)).toEqual([".", "..", "self", "meminfo", "uptime", "1", "7"]);
    expect(cat(w, "/proc/1/comm")).toBe("init\n");
    expect(cat(w, "/proc/self/comm")).toBe("sh\n");
    expect(str(sysReadlinkat(w.caller, AT_FDCWD, "/proc/self", 64))).toBe("7");
    pids.delete(7);
    expect(cat(w, "/proc/7/comm")).toBe(`errno:${-Errno.ENOENT}`);
    expect(cat(w, "/proc/self/comm")).toBe(`errno:${-Errno.ENOENT}`);
    expect(sysOpen(w.caller, "/proc/meminfo", O_WRONLY, 0)).toBeGreaterThanOrEqual(0);
    const user = { ...w.caller, cred: { uid: 5, gid: 5 } };
    expect(sysOpen(user, "/proc/meminfo", O_WRONLY, 0)).toBe(-Errno.EACCES);
    expect(sysOpen(w.caller, "/proc/newfile", O_WRONLY | O_CREAT, 0o644)).toBe(-Errno.EACCES);
  });

  it("keeps inode numbers stable and supports cwd inside /proc", () => {
    const { w } = withProc();
    const ino = (p: string) => new DataView((sysStat64(w.caller, p) as Uint8Array).buffer).getUint32(88, true);
    expect(ino("/proc/1/comm")).toBe(ino("/proc/1/comm"));
    expect(ino("/proc/1")).not.toBe(ino("/proc/7"));
    const st = new DataView((sysStat64(w.caller, "/proc/1/comm") as Uint8Array).buffer);
    expect(st.getUint32(16, true)).toBe(0o100444);
    expect(st.getUint32(44, true)).toBe(0);
    expect(sysChdir(w.caller, "/proc/1")).toBe(0);
    expect(str(sysGetcwd(w.caller, 64))).toBe("/proc/1\0");
    expect(cat(w, "../7/comm")).toBe("sh\n");
  });

  it("formats /proc/meminfo and /proc/uptime as Linux", () => {
    const { w } = withProc();
    const text = cat(w, "/proc/meminfo");
    const lines = text.split("\n");
    expect(lines[0]).toBe("MemTotal:          65536 kB");
    expect(lines[1]).toBe("MemFree:           60000 kB");
    expect(lines[2]).toBe("MemAvailable:      61000 kB");
    expect(lines[4]).toBe("Cached:               12 kB");
    expect(lines[8]).toBe("Active(anon):          0 kB");
    expect(text).toContain("\nCommitted_AS:   123456789 kB\n");
    expect(lines.length).toBe(36);
    expect(cat(w, "/proc/uptime")).toBe("123.45 100.07\n");
    expect(formatUptime(5, 0)).toBe("0.05 0.00\n");
    expect(formatMeminfo({ MemTotal: 1, MemFree: 2 }).split("\n")[0]).toBe("MemTotal:              1 kB");
  });

  it("generates a file's text at the read from offset 0 and continues in that snapshot", () => {
    const w = makeWorld();
    let n = 0;
    const proc = new Procfs(mkdev(0, 4), w.clock);
    proc.root.add("counter", procFile(() => `count ${++n}\n`));
    mountAt(w, "/proc", proc.sb);
    const fd = sysOpen(w.caller, "/proc/counter", O_RDONLY, 0);
    expect(n).toBe(0); // nothing generated at open
    expect(str(sysRead(w.caller, fd, 3))).toBe("cou");
    expect(str(sysRead(w.caller, fd, 100))).toBe("nt 1\n");
    expect(str(sysRead(w.caller, fd, 100))).toBe("");
    expect(sysLlseek(w.caller, fd, 0, 0)).toBe(0);
    expect(str(sysRead(w.caller, fd, 100))).toBe("count 2\n");
    expect(sysLlseek(w.caller, fd, 0, 2)).toBe(-Errno.EINVAL);
    expect(sysWrite(w.caller, sysOpen(w.caller, "/proc/counter", O_WRONLY, 0), bytes("x"))).toBe(-Errno.EIO);
  });
});

describe("tmpfs", () => {
  it("enforces its size limit with ENOSPC and counts usage", () => {
    const w = makeWorld();
    const tmp = createTmpfs({ dev: mkdev(0, 3), clock: w.clock, sizeBytes: 3 * 4096, maxInodes: 4 });
    mountAt(w, "/tmp", tmp);
    expect(tmpfsUsage(tmp)).toEqual({ sizePages: 3, usedPages: 0, maxInodes: 4, usedInodes: 1 });
    const fd = sysOpen(w.caller, "/tmp/a", O_WRONLY | O_CREAT, 0o644);
    expect(sysWrite(w.caller, fd, new Uint8Array(10000))).toBe(10000);
    expect(tmp.usedPages).toBe(3);
    expect(sysWrite(w.caller, fd, new Uint8Array(5000))).toBe(12288 - 10000);
    expect(sysWrite(w.caller, fd, new Uint8Array(1))).toBe(-Errno.ENOSPC);
    expect(sysFtruncate(w.caller, fd, 1 << 30)).toBe(0); // sparse: no pages
    expect(tmp.usedPages).toBe(3);
    expect(sysFtruncate(w.caller, fd, 4096)).toBe(0);
    expect(tmp.usedPages).toBe(1);
    const fb = sysOpen(w.caller, "/tmp/b", O_WRONLY | O_CREAT, 0o644);
    sysClose(w.caller, sysOpen(w.caller, "/tmp/c", O_WRONLY | O_CREAT, 0o644));
    expect(sysOpen(w.caller, "/tmp/d", O_WRONLY | O_CREAT, 0o644)).toBe(-Errno.ENOSPC);
    expect(sysMkdir(w.caller, "/tmp/dir", 0o755)).toBe(-Errno.ENOSPC);
    expect(sysUnlink(w.caller, "/tmp/b")).toBe(0);
    expect(sysMkdir(w.caller, "/tmp/dir", 0o755)).toBe(-Errno.ENOSPC); // b is unlinked but still open
    sysClose(w.caller, fb);
    expect(sysMkdir(w.caller, "/tmp/dir", 0o755)).toBe(0);
    expect(tmpfsUsage(tmp).usedInodes).toBe(4);
    sysClose(w.caller, fd);
    expect(sysUnlink(w.caller, "/tmp/a")).toBe(0);
    expect(tmpfsUsage(tmp)).toEqual({ sizePages: 3, usedPages: 0, maxInodes: 4, usedInodes: 3 });
    const st = new DataView((sysStat64(w.caller, "/tmp") as Uint8Array).buffer);
    expect(st.getUint32(16, true)).toBe(0o41777);
  });
});
