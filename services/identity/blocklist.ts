// Placeholder values that SDKs and forms really send, which would glue strangers together if linked.
import type { IdentityConfig } from './rules.ts';

/** Blocked for every type (compared after normalisation, case-insensitively). */
export const BLOCKED_ANY: readonly string[] = [
  'null', 'undefined', 'unknown', 'none', 'nil', 'nan', 'n/a', 'na', '0', '-1', '-', 'false', 'true',
  '[object object]', 'anonymous', 'guest', 'test', 'default', '(null)', '{}', '[]',
];

export const BLOCKED_BY_TYPE: ReadonlyMap<string, readonly string[]> = new Map([
  ['advertising_id', ['00000000-0000-0000-0000-000000000000', '00000000000000000000000000000000']],
  ['device_id', ['00000000-0000-0000-0000-000000000000', '0000000000000000', '9774d56d682e549c']],
  ['email', [
    'test@test.com', 'test@example.com', 'user@example.com', 'email@example.com', 'noreply@example.com',
    'a@a.com', 'asdf@asdf.com', 'none@none.com', 'null@null.com', 'no@email.com', 'noemail@noemail.com',
  ]],
  ['phone', ['+10000000000', '+11111111111', '+15555555555', '+11234567890']],
]);

/** Domains reserved for documentation and tests (RFC 2606) plus throwaway catch-alls. */
export const BLOCKED_EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.org', 'example.net', 'test.com', 'test', 'invalid', 'localhost'];

/** Why a normalised value is blocked, or null when it may link. */
export function blockReason(type: string, value: string, config: IdentityConfig): string | null {
  const v = value.toLowerCase();
  if (config.blocked.get('*')?.has(v) === true) return `"${value}" is a placeholder value blocked for every type`;
  if (config.blocked.get(type)?.has(v) === true) return `"${value}" is a placeholder ${type} value`;
  if (type === 'email') {
    const domain = v.slice(v.lastIndexOf('@') + 1);
    if (config.blockedEmailDomains.has(domain)) return `email domain "${domain}" is reserved for tests`;
  }
  if (v.length > 0 && /^[-+0]+$/.test(v) && v.includes('0')) return `"${value}" is all zeros`;
  return null;
}
