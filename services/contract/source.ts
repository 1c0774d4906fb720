// The channel (touchpoint.source) of a call: the write key's channel, else guessed from the SDK that sent it (pure).
import { isObject, type Json } from './fields.ts';

// Checked in order; the first pattern matching context.library.name wins. Names are those the Segment,
// RudderStack and Jitsu SDKs put in context.library.name.
const LIBRARY_RULES: readonly [RegExp, string][] = [
  [/react-native|flutter/i, 'mobile'],
  [/ios|swift|objective-?c/i, 'ios'],
  [/android|kotlin/i, 'android'],
  [/analytics\.js|analytics-next|javascript|browser|@jitsu\/js|jitsu-js|web/i, 'web'],
  [/node|python|ruby|\bgo\b|analytics-go|java|php|\.net|dotnet|csharp|rust|elixir|clojure|server|http/i, 'server'],
];

/** web, ios, android or server from context.library.name (and context.os.name for cross-platform SDKs), else null. */
export function sourceFromContext(context: Json | null): string | null {
  if (!context) return null;
  const library = isObject(context.library) && typeof context.library.name === 'string' ? context.library.name : null;
  if (!library) return null;
  for (const [pattern, source] of LIBRARY_RULES) {
    if (!pattern.test(library)) continue;
    if (source !== 'mobile') return source;
    const os = isObject(context.os) && typeof context.os.name === 'string' ? context.os.name.toLowerCase() : '';
    if (os.includes('ios') || os.includes('ipados')) return 'ios';
    if (os.includes('android')) return 'android';
    return null;
  }
  return null;
}

/** The write key's configured channel wins; then the SDK; then the configured default. */
export function resolveSource(channel: string | null, context: Json | null, fallback: string): string {
  return channel ?? sourceFromContext(context) ?? fallback;
}
