// Service processes in tests: started on free ports against an isolated slice of the stack, logging to files,
// killed with SIGKILL on demand, and stopped after the file.
import { startService, stopService, type ServiceProcess } from '../../services/demo/processes.ts';
import { freePort, type IsolatedStack } from './stack.ts';

export interface ServiceHarness {
  /** Starts services/<name>/main.ts with the slice's environment plus `env`. */
  start(name: 'warehouse-writer' | 'extract' | 'link' | 'resolved' | 'privacy', env?: Record<string, string>, as?: string): Promise<ServiceProcess>;
  stopAll(): Promise<void>;
}

/** Short group session timeouts, so a killed service's successor takes over quickly. */
export const fastFailover = {
  TESSERA_WRITER_SESSION_TIMEOUT_MS: '6000',
  TESSERA_EXTRACT_SESSION_TIMEOUT_MS: '6000', TESSERA_LINK_SESSION_TIMEOUT_MS: '6000', TESSERA_RESOLVED_SESSION_TIMEOUT_MS: '6000',
};

export function serviceHarness(s: IsolatedStack): ServiceHarness {
  const logDir = `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack/logs/test-${s.id}`;
  const running: ServiceProcess[] = [];
  return {
    async start(name, env = {}, as = name) {
      const p = startService(as, `services/${name}/main.ts`, { ...s.env, TESSERA_LOG_LEVEL: 'info', ...fastFailover, ...env }, logDir, await freePort());
      running.push(p);
      return p;
    },
    async stopAll() {
      for (const p of running) await stopService(p, 5000);
    },
  };
}

/** SIGKILL: no shutdown handler runs, as in a crash. Resolves once the process is gone. */
export const kill9 = (p: ServiceProcess): Promise<void> =>
  new Promise((resolve) => { p.child.once('exit', () => resolve()); p.child.kill('SIGKILL'); });
