// Reads a request body, gunzipping when asked, and stops as soon as it passes the size limit.
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';

export type Body =
  | { ok: true; text: string; bytes: number }
  | { ok: false; reason: 'too_large' | 'unsupported_encoding' | 'bad_encoding' | 'aborted'; message: string };

/**
 * The decompressed body, at most `limit` bytes. The limit applies after decompression, so a small gzip bomb is
 * refused as early as a large plain body.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let source: Readable = req;
  if (encoding === 'gzip' || encoding === 'x-gzip') source = req.pipe(createGunzip());
  else if (encoding === 'deflate') source = req.pipe(createInflate());
  else if (encoding !== 'identity' && encoding !== '') {
    return Promise.resolve({ ok: false, reason: 'unsupported_encoding', message: `Content-Encoding ${JSON.stringify(encoding)} is not supported: send gzip, deflate or an uncompressed body` });
  }
  const declared = Number(req.headers['content-length']);
  if (source === req && Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ ok: false, reason: 'too_large', message: `body of ${declared} bytes is over the ${limit}-byte limit` });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const finish = (b: Body) => {
      if (done) return;
      done = true;
      resolve(b);
    };
    source.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        finish({ ok: false, reason: 'too_large', message: `body is over the ${limit}-byte limit` });
        if (source !== req) source.destroy();
        req.unpipe();
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    source.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8'), bytes }));
    source.on('error', (err: Error) => finish({ ok: false, reason: 'bad_encoding', message: `body is not valid ${encoding}: ${err.message}` }));
    req.on('aborted', () => finish({ ok: false, reason: 'aborted', message: 'client closed the connection' }));
    req.on('error', () => finish({ ok: false, reason: 'aborted', message: 'client connection failed' }));
  });
}
