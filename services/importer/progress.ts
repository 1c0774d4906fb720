// A progress line on stderr: bytes read of the file's size, rows/s, accepted and rejected so far.
import type { Progress } from './run.ts';

const mib = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;

export interface ProgressBar { update(p: Progress): void; done(p: Progress): void }

/**
 * Redraws one line in place on a terminal (at most 5 times a second); on a pipe or a CI log writes a plain line
 * every 5 s instead, so logs stay readable.
 */
export function progressBar(totalBytes: number, out: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressBar {
  const started = now();
  const tty = Boolean(out.isTTY);
  const every = tty ? 200 : 5_000;
  let last = started;
  const render = (p: Progress): string => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const ratio = totalBytes > 0 ? Math.min(p.bytesRead / totalBytes, 1) : 1;
    const width = 24;
    const filled = Math.round(ratio * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    return `${bar} ${(ratio * 100).toFixed(1)}% ${mib(p.bytesRead)}/${mib(totalBytes)}  ${p.rows} rows  ${Math.round(p.rows / seconds)} rows/s  accepted ${p.accepted}  rejected ${p.rejected}`;
  };
  return {
    update(p) {
      const t = now();
      if (t - last < every) return;
      last = t;
      out.write(tty ? `\r${render(p)}\x1b[K` : `${render(p)}\n`);
    },
    done(p) {
      out.write(tty ? `\r${render(p)}\x1b[K\n` : `${render(p)}\n`);
    },
  };
}
