// Versions for published records: a hybrid logical clock (wall microseconds, strictly increasing).
// Downstream tables keep the highest version, so a later decision always supersedes an earlier one.

export class VersionClock {
  private last = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(): number {
    this.last = Math.max(this.last + 1, this.now() * 1000);
    return this.last;
  }
}
