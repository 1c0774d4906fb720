// The explorer page and its chart library, served from memory: an allow-list of files read once at start (no path
// from a request ever reaches the file system), with ETags.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile { body: Buffer; type: string; etag: string; cache: string }

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json; charset=utf-8',
};

const here = dirname(fileURLToPath(import.meta.url));

function file(path: string, cache: string): StaticFile {
  const body = readFileSync(path);
  return { body, type: TYPES[extname(path)] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(body).digest('base64url')}"`, cache };
}

/** URL path → file: /explorer/* from services/profile-api/explorer, ECharts' ES module build from node_modules. */
export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const explorer = join(here, 'explorer');
  for (const name of readdirSync(explorer)) {
    if (!TYPES[extname(name)]) continue;
    // Revalidated on every load (an ETag answer is a few bytes): a new build shows at once.
    files.set(`/explorer/${name}`, file(join(explorer, name), 'no-cache'));
  }
  const index = files.get('/explorer/index.html');
  if (index) files.set('/explorer/', index);
  const echarts = join(dirname(createRequire(import.meta.url).resolve('echarts/package.json')), 'dist', 'echarts.esm.min.mjs');
  files.set('/vendor/echarts.esm.min.mjs', file(echarts, 'public, max-age=86400'));
  files.set('/openapi.json', file(join(here, 'openapi.json'), 'no-cache'));
  return files;
}
