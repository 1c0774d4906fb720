// Container HEALTHCHECK: GET /healthz on the port this container's service serves it on.
// Every service reads one of three port variables (the collector and the profile API their own, the stages
// TESSERA_HTTP_PORT); only the running service listens, so the first port that answers is its own. Exit 0 = healthy.
/* global process, fetch, AbortSignal */
const ports = [...new Set([process.env.TESSERA_COLLECTOR_PORT || '8080', process.env.TESSERA_API_PORT || '8090', process.env.TESSERA_HTTP_PORT || '9464'])];
for (const port of ports) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    process.exit(res.ok ? 0 : 1);
  } catch {
    // nothing listens on this port: try the next
  }
}
process.exit(1);
