// Path templates (`/v1/profiles/:id/events`) compiled to matchers; each :param is one percent-decoded segment (pure).

export interface Compiled<R> { route: R; match(path: string): Record<string, string> | null | 'bad-encoding' }

export function compile<R extends { template: string }>(route: R): Compiled<R> {
  const names: string[] = [];
  const pattern = route.template.split('/').map((part) => {
    if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    names.push(part.slice(1));
    return '([^/]+)';
  }).join('/');
  const re = new RegExp(`^${pattern}$`);
  return {
    route,
    match(path) {
      const m = re.exec(path);
      if (!m) return null;
      const params: Record<string, string> = {};
      try {
        names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]!); });
      } catch {
        return 'bad-encoding';
      }
      return params;
    },
  };
}

export type Found<R> = { route: R; params: Record<string, string> } | { route: R; params: 'bad-encoding' };

export class Router<R extends { template: string; method?: string }> {
  private readonly compiled: Compiled<R>[];

  constructor(routes: readonly R[]) {
    this.compiled = routes.map(compile);
  }

  /**
   * The first route whose template matches and that takes `method` (GET when the route names none; HEAD is a GET),
   * with its parameters; `{ allow }` when the path is served but not with this method; null when it is not served.
   */
  find(path: string, method = 'GET'): Found<R> | { allow: string[] } | null {
    const want = method === 'HEAD' ? 'GET' : method;
    const allow = new Set<string>();
    for (const c of this.compiled) {
      const params = c.match(path);
      if (params === null) continue;
      const takes = c.route.method ?? 'GET';
      if (takes === want) return { route: c.route, params } as Found<R>;
      allow.add(takes);
      if (takes === 'GET') allow.add('HEAD');
    }
    return allow.size > 0 ? { allow: [...allow].sort() } : null;
  }
}
