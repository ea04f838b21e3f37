// The names of the four memory-manager designs (designs.ts describes them),
// the one list the kernel's mm= option, the CLI and the web page all use.
// No imports, so the page's main thread can take it without the kernel.

export type MmDesignName = "classic" | "vma" | "lazy" | "sharedpt";
export const MM_DESIGNS: readonly MmDesignName[] = ["classic", "vma", "lazy", "sharedpt"];
/** The design the kernel runs without mm= (the 1995 rewrite). */
export const DEFAULT_MM_DESIGN: MmDesignName = "vma";
