// A union-find over string keys for the reference resolvers (path halving; the root is each set's name).

export class UnionFind {
  private readonly parent = new Map<string, string>();

  has(x: string): boolean {
    return this.parent.has(x);
  }

  add(x: string): void {
    if (!this.parent.has(x)) this.parent.set(x, x);
  }

  find(x: string): string {
    let r = x;
    for (let p = this.parent.get(r); p !== undefined && p !== r; p = this.parent.get(r)) {
      const gp = this.parent.get(p)!;
      this.parent.set(r, gp);
      r = gp;
    }
    return r;
  }

  /** Joins the sets of a and b (both must have been added); `into`'s root survives. Returns the surviving root. */
  union(into: string, from: string): string {
    const a = this.find(into);
    const b = this.find(from);
    if (a !== b) this.parent.set(b, a);
    return a;
  }
}
