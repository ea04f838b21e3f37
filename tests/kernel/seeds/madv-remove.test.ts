// Seed 001's MADV_REMOVE in the guest: holes punched in POSIX shm (tmpfs on
// /dev/shm), shared anonymous memory and SysV segments read back as zeros,
// Shmem in /proc/meminfo drops by the hole, Linux's errno values where it
// cannot be done, and MADV_DONTNEED for private and shared mappings.

import { describe, expect, it } from "vitest";
import { GuestSession } from "../../support/guest.ts";
import { shmemPages } from "../../../kernel/drivers/mm-devices.ts";
import { shmSegments } from "../../../kernel/ipc/shm.ts";

const DESIGNS = ["classic", "vma", "lazy", "sharedpt"];

describe.each(DESIGNS)("MADV_REMOVE and shared memory under mm=%s", (design) => {
  it("frees pages and backing store, reports Linux's errors, leaks nothing", () => {
    const s = new GuestSession({ cmdline: `quiet mm=${design}` });
    const shmem0 = shmemPages(s.kernel);
    const r = s.runStatus("/tests/madv_remove");
    expect(r.output.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
    for (const name of ["madv_remove_shmem_drops", "madv_remove_zeros", "madv_remove_keeps_cow", "madv_remove_read_zero",
      "madv_remove_private_anon_einval", "madv_remove_private_file_eacces", "madv_remove_ramfs_eopnotsupp",
      "dontneed_private_zeros", "dontneed_shared_keeps", "sysv_madv_remove_shmem", "sysv_ipc_multiplexer"]) {
      expect(r.output).toContain(`PASS ${name}\n`);
    }
    expect(r.status).toBe(0);
    expect(shmemPages(s.kernel)).toBe(shmem0);
    expect(shmSegments(s.kernel)).toEqual([]);
    expect(s.run("ls /dev/shm")).toBe("");
    expect(s.check()).toEqual([]);
  });
});
