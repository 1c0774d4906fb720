// How a command's output ends: every line written reaches the reader before the process exits (stdout on a pipe is
// asynchronous, and process.exit drops what is still queued), and a reader that leaves early (`| head`) ends it quietly.

/** Exits with `code` once everything written to `out` so far was handed to the OS. */
export function endOfOutput(out: NodeJS.WritableStream, code: number, exit: (code: number) => never = process.exit): Promise<never> {
  return new Promise<never>(() => {
    // Writes complete in order: this empty one's callback runs after every earlier line went out.
    out.write('', () => exit(code));
  });
}

/** A closed pipe (EPIPE: the reader has all it wants) exits 0 without a word; other write errors exit 1 with one line. */
export function quietOnBrokenPipe(out: NodeJS.WritableStream, exit: (code: number) => never = process.exit): void {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    process.stderr.write(`cannot write the output: ${err.message}\n`);
    exit(1);
  });
}
