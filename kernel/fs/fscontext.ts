// Per-process file-system state: root and current directory (struct fs_struct)
// plus umask, and the caller interface the VFS entry points take.

import type { Cred } from "./permission.ts";
import type { IoCaller } from "./file.ts";
import type { FdTable } from "./fdtable.ts";
import type { MountTable, Path } from "./mount.ts";

export class FsContext {
  umask = 0o022;

  constructor(
    readonly ns: MountTable,
    public root: Path,
    public cwd: Path,
  ) {}

  /** A copy for fork without CLONE_FS. */
  clone(): FsContext {
    const c = new FsContext(this.ns, this.root, this.cwd);
    c.umask = this.umask;
    return c;
  }
}

/** The task calling a VFS entry point (the process layer's task satisfies this). */
export interface FsCaller extends IoCaller {
  fs: FsContext;
  files: FdTable;
  cred: Cred;
}
