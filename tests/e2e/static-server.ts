// A tiny static file server for the e2e tests: serves a folder on
// 127.0.0.1 at a random port, like any plain web server would (no SPA
// fallback, no special headers), to prove the build needs no server code.

import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".cpio": "application/octet-stream",
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves root under `prefix` (e.g. "/sub/dir/") on a free port; resolves once listening. */
export async function serveStatic(root: string, prefix = "/"): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    let file = normalize(join(root, path.slice(prefix.length)));
    if (!file.startsWith(normalize(root + sep)) && file !== normalize(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("serveStatic: no port");
  return {
    url: `http://127.0.0.1:${addr.port}${prefix}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
