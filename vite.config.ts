// Vite config for the web front end (web/): a static site in dist/web with
// relative asset paths (base "./"), so it works from any static file server
// and any subpath. The machine runs in a module worker; the initramfs is
// imported with ?url and emitted as an asset. The snapshot code's `node:zlib`
// resolves to web/shims/node-zlib.ts (fflate) in the page.

import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("./web", import.meta.url));
const repo = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("./dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
  },
  resolve: { alias: { "node:zlib": fileURLToPath(new URL("./web/shims/node-zlib.ts", import.meta.url)) } },
  worker: { format: "es" },
  server: { fs: { allow: [repo] } },
});
