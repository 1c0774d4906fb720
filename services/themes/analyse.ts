// Free text (tickets, survey answers, social mentions) → key phrases and a sentiment score, with wink-nlp and its
// English model (both from npm, nothing fetched at run time). PII (emails, phone numbers, URLs, handles, long
// numbers) is removed before the text is read, so no phrase can carry it. Pure: the same text, the same result.
import winkNLP, { type ItemCustomEntity } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export interface TextAnalysis {
  /** -1 (negative) … 1 (positive), wink's sentence-aware score (negations, intensifiers). */
  sentiment: number;
  /** Lower-case lemmatised noun phrases (1 to 3 words), each once, in order of appearance. */
  phrases: string[];
}

const nlp = winkNLP(model);
const its = nlp.its;
// Noun phrases: an optional adjective or noun before a noun (and one more), the usual shape of a complaint's topic.
nlp.learnCustomEntities([{ name: 'phrase', patterns: ['[ADJ|NOUN|PROPN] [ADJ|NOUN|PROPN] [NOUN]', '[ADJ|NOUN|PROPN] [NOUN]', '[NOUN]'] }]);

const PII: [RegExp, string][] = [
  [/\b[^\s@]+@[^\s@]+\.[^\s@]+\b/g, ' '], // emails
  [/\bhttps?:\/\/\S+|\bwww\.\S+/gi, ' '], // URLs
  [/(^|\s)@\w+/g, ' '], // social handles
  [/[+(]?\d[\d\s().-]{5,}\d/g, ' '], // phone numbers, card and order numbers
];

/** The text without what identifies a person (kept out of every phrase). */
export function redact(text: string): string {
  return PII.reduce((t, [re, by]) => t.replace(re, by), text).replace(/\s+/g, ' ').trim();
}

/** Words too vague to be a theme on their own. */
const VAGUE = new Set(['thing', 'things', 'lot', 'way', 'time', 'day', 'today', 'please', 'thanks', 'hello', 'hi', 'team', 'one']);

export function analyseText(text: string, maxLength = 2_000): TextAnalysis {
  // Lower case: a capitalised first word ("Severe battery drain…") is otherwise read as a proper noun.
  const doc = nlp.readDoc(redact(text.slice(0, maxLength)).toLowerCase());
  const phrases: string[] = [];
  doc.customEntities().each((e: ItemCustomEntity) => {
    // its.lemma is typed with a stricter cache parameter than out() accepts; at run time it is an ordinary its function.
    const lemmas = e.tokens().out(its.lemma as unknown as typeof its.normal) as string[];
    const pos = e.tokens().out(its.pos) as string[];
    // Leading adjectives go ("severe battery drain", "huge battery drain" → "battery drain"): the theme is the noun.
    let from = 0;
    while (from < pos.length - 1 && pos[from] === 'ADJ') from += 1;
    const words = lemmas.slice(from).map((w) => w.toLowerCase()).filter((w) => /^[\p{L}][\p{L}'-]*$/u.test(w));
    const phrase = words.join(' ');
    if (words.length === 0 || (words.length === 1 && (VAGUE.has(phrase) || phrase.length < 3)) || phrases.includes(phrase)) return;
    phrases.push(phrase);
  });
  const sentiment = Number(doc.out(its.sentiment));
  return { sentiment: Number.isFinite(sentiment) ? Math.max(-1, Math.min(1, sentiment)) : 0, phrases };
}
