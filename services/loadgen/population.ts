// A seeded synthetic population and its touchpoints, with the ground truth (messageId → person) kept apart.
// Pure: no clock, no I/O. Scenarios: anonymous browsing then login, several devices per person, cookie churn,
// shared family devices and emails, SDK placeholder values, CRM imports with messy emails and phones,
// support tickets by email only, server-side orders; and, off by default, B2B shared inboxes, a support desk
// logging tickets on its agents' computers, app reinstalls that keep only the advertising id, and call-centre
// rows known only by a national phone number; and planted tastes for recommendations: taste groups of people who
// prefer groups of products, seen as product views, cart adds and orders; and regional patterns: free text in
// tickets, surveys and social mentions with a theme planted in one region, and a device preference per region (both
// off by default).
import type { Context, Touchpoint } from '../contract/touchpoint.ts';
import { Random } from './random.ts';

export interface PopulationOptions {
  seed: number;
  people: number;
  /** Sessions per person (average). */
  sessions: number;
  /** Epoch ms of the first event; events spread over `days`. */
  start: number;
  days: number;
  /** Share of households whose members share one computer (and cookie). */
  sharedDeviceRate: number;
  /** Share of households that share one family email address. */
  sharedEmailRate: number;
  /** Share of SDK calls that carry a placeholder value. */
  placeholderRate: number;
  /** Events with a missing event name (invalid → DLQ). */
  invalidRate: number;
  /** Own devices per person at most (1 to 6; the first always, a second for half, a third for 15%, more for 10%). */
  maxDevices: number;
  /** Chance that a web session starts on a fresh cookie (cleared cookies, a new browser). */
  cookieChurnRate: number;
  /** Share of people who ever log in (have a user id). */
  registeredRate: number;
  /** Share of people on a B2B team that shares an inbox (`sales@company`), used at sign-up, in tickets and in the CRM. */
  sharedInboxRate: number;
  /** Share of support tickets an agent logs on the agent's own computer (the agent's cookie and device on a customer's ticket). */
  supportDeskRate: number;
  /** Chance that an app session starts after a reinstall: new anonymousId and device id, same advertising id; logged-in users log in again. */
  appResetRate: number;
  /** Share of people who give their phone (international format) at login and appear in a call-centre export by that phone only, written in national format. */
  crmPhoneRate: number;
  /**
   * Planted tastes (0 = off): people fall into this many taste groups, each preferring its own share of the product
   * catalogue; they view products, add some to the cart and order them. Drawn from a generator of their own, so the
   * people, devices and identifiers are the same with tastes on or off, and the default population is unchanged.
   */
  tasteGroups: number;
  /** Products in the catalogue (split among the taste groups). */
  catalogue: number;
  /** Chance that a product a person looks at comes from the person's taste group (else from the whole catalogue). */
  tasteStrength: number;
  /**
   * Regional patterns (off by default): tickets carry free text, people answer a survey and are mentioned on social
   * media; from the middle of the period Berlin's customers keep writing about battery drain (PLANTED_THEME); Europeans
   * use a phone first, Indians a computer. Text draws from a generator of its own.
   */
  regionalPatterns: boolean;
}

export const defaultPopulation: PopulationOptions = {
  seed: 42, people: 5000, sessions: 6, start: Date.UTC(2026, 9, 1), days: 30,
  sharedDeviceRate: 0.05, sharedEmailRate: 0.03, placeholderRate: 0.01, invalidRate: 0.002,
  maxDevices: 3, cookieChurnRate: 0.15, registeredRate: 0.8,
  // Off by default: a rate of 0 draws nothing from the generator, so the scenarios above keep their populations.
  sharedInboxRate: 0, supportDeskRate: 0, appResetRate: 0, crmPhoneRate: 0,
  tasteGroups: 0, catalogue: 200, tasteStrength: 0.8, regionalPatterns: false,
};

/** The theme regional patterns plant, and where: Berlin, from the middle of the period on. */
export const PLANTED_THEME = { phrase: 'battery drain', country: 'DE', region: 'BE' } as const;
const PLANTED_TEXTS = [
  'Battery drain after the latest app update, my phone is empty by noon.',
  'Severe battery drain since the update. Please fix it!',
  'The app causes terrible battery drain even in the background.',
  'Huge battery drain on my phone when the shop app is open.',
];
const USUAL_TEXTS = [
  'My delivery is late and nobody answers my emails.',
  'The invoice shows the wrong billing address.',
  'I cannot reset my password, the reset email never arrives.',
  'The parcel arrived damaged, I would like a refund.',
  'Great service, the support team was very helpful.',
  'Love the new mosaic tiles, excellent quality and fast shipping.',
  'The checkout page keeps failing with my credit card.',
  'Wrong colour of grout in my order, please send a replacement.',
];
/** The first device's kind, drawn with one draw whatever the pattern (so turning patterns on moves no other draw). */
const FIRST_DEVICE: Record<string, DeviceKind[]> = {
  usual: ['desktop', 'mobile', 'mobile'],
  europe: ['mobile', 'mobile', 'mobile', 'mobile', 'desktop'],
  asia: ['desktop', 'desktop', 'desktop', 'desktop', 'mobile'],
};

export interface Generated { touchpoints: Touchpoint[]; truth: Map<string, number> }

/** One phone number of a region in both ways people write it; the random draws are the same whichever form is used. */
interface PhoneForms { national: string; international: string }

// `usual` is the form this region's customers type by default (kept from the first version of the generator).
const REGIONS = [
  { country: 'US', region: 'CA', city: 'San Francisco', locale: 'en-US', tz: 'America/Los_Angeles', usual: 'national', phone: (r: Random): PhoneForms => { const a = r.int(200, 999), b = r.int(1000, 9999); return { national: `(415) ${a}-${b}`, international: `+1 415-${a}-${b}` }; } },
  { country: 'US', region: 'NY', city: 'New York', locale: 'en-US', tz: 'America/New_York', usual: 'international', phone: (r: Random): PhoneForms => { const a = r.int(200, 999), b = r.int(1000, 9999); return { national: `(212) ${a}-${b}`, international: `+1 212-${a}-${b}` }; } },
  { country: 'GB', region: 'ENG', city: 'London', locale: 'en-GB', tz: 'Europe/London', usual: 'national', phone: (r: Random): PhoneForms => { const a = r.int(400, 499), b = r.int(100000, 999999); return { national: `07${a} ${b}`, international: `+44 7${a} ${b}` }; } },
  { country: 'DE', region: 'BE', city: 'Berlin', locale: 'de-DE', tz: 'Europe/Berlin', usual: 'international', phone: (r: Random): PhoneForms => { const a = r.int(1000000, 9999999); return { national: `030 ${a}`, international: `+49 30 ${a}` }; } },
  { country: 'FR', region: 'IDF', city: 'Paris', locale: 'fr-FR', tz: 'Europe/Paris', usual: 'national', phone: (r: Random): PhoneForms => { const a = r.int(10, 38), b = r.int(10, 99), c = r.int(10, 99), d = r.int(10, 99); return { national: `06 ${a} ${b} ${c} ${d}`, international: `+33 6 ${a} ${b} ${c} ${d}` }; } },
  { country: 'IN', region: 'MH', city: 'Mumbai', locale: 'en-IN', tz: 'Asia/Kolkata', usual: 'international', phone: (r: Random): PhoneForms => { const a = r.int(10000000, 99999999); return { national: `098${a}`, international: `+91 98${a}` }; } },
  { country: 'BR', region: 'SP', city: 'São Paulo', locale: 'pt-BR', tz: 'America/Sao_Paulo', usual: 'international', phone: (r: Random): PhoneForms => { const a = r.int(1000, 9999), b = r.int(1000, 9999); return { national: `(11) 9${a}-${b}`, international: `+55 11 9${a}-${b}` }; } },
] as const;
const emptyContext = (): Context => ({
  ip: null, userAgent: null, locale: null, timezone: null, page: null, campaign: null, device: null, os: null, app: null, location: null, traits: {},
});

const DEVICES = {
  desktop: { type: 'desktop', models: ['MacBookPro18,3', 'Dell XPS 13', 'ThinkPad X1'], os: ['Mac OS X', 'Windows', 'Linux'] },
  mobile: { type: 'mobile', models: ['iPhone15,2', 'Pixel 8', 'Galaxy S23'], os: ['iOS', 'Android'] },
  tablet: { type: 'tablet', models: ['iPad13,4', 'Galaxy Tab S9'], os: ['iOS', 'Android'] },
} as const;
type DeviceKind = keyof typeof DEVICES;

const PAGES = ['/', '/pricing', '/product/tessera', '/blog/identity', '/docs', '/cart', '/checkout'];
const PRODUCTS = ['Tile', 'Mosaic', 'Grout', 'Trowel'];
const CAMPAIGNS = [null, { source: 'google', medium: 'cpc', name: 'brand' }, { source: 'newsletter', medium: 'email', name: 'nov' }];
const PLACEHOLDER_EMAILS = ['undefined', 'null', 'none', 'test@test.com', ''];
const INBOXES = ['sales', 'info', 'team', 'hello', 'office', 'orders'];
const COMPANIES = ['northwind', 'globex', 'initech', 'umbrella', 'hooli', 'vandelay'];

interface Device { kind: DeviceKind; id: string; model: string; os: string; cookie: string; app: boolean; adId: string | null; shared: boolean }
interface Person {
  id: number; userId: string; email: string; phone: string; phoneForms: PhoneForms; crmId: string; region: (typeof REGIONS)[number];
  devices: Device[]; registered: boolean;
  /** The team's shared inbox (B2B), if the person is on such a team. */
  inbox: string | null;
  /** Gives the phone at login and is in the call-centre export by phone only. */
  phoneLead: boolean;
}

function makeDevice(r: Random, kind: DeviceKind, shared = false): Device {
  const d = DEVICES[kind];
  const app = kind !== 'desktop' && r.chance(0.6);
  return {
    kind, id: r.uuid().toUpperCase(), model: r.pick(d.models), os: r.pick(d.os), cookie: r.uuid(), app,
    adId: app && r.chance(0.7) ? r.uuid().toUpperCase() : null, shared,
  };
}

function messyEmail(r: Random, email: string): string {
  return r.pick([email, email.toUpperCase(), ` ${email} `, email.replace(/^./, (c) => c.toUpperCase())]);
}

/** A national number as a call centre types it: with its spaces and punctuation, or digits only. */
function messyNationalPhone(r: Random, national: string): string {
  return r.chance(0.5) ? national : national.replace(/[^0-9]/g, '');
}

/** Teams of 2 to 6 consecutive selected people, each team with one shared inbox at its company's domain. */
function assignInboxes(r: Random, people: Person[], rate: number): void {
  let left = 0;
  let inbox = '';
  for (const p of people) {
    if (!r.chance(rate)) continue;
    if (left === 0) { left = r.int(2, 6); inbox = `${r.pick(INBOXES)}@${r.pick(COMPANIES)}-${r.hex(4)}.com`; }
    p.inbox = inbox;
    left -= 1;
  }
}

/** A few people work at the support desk: each gets a work computer whose cookie never changes; tickets are logged on it. */
function hireAgents(r: Random, people: Person[]): { agent: Person; desk: Device }[] {
  const count = Math.min(people.length, Math.max(2, Math.round(people.length / 500)));
  const agents = new Map<number, Person>();
  while (agents.size < count) { const p = people[r.int(0, people.length - 1)]!; agents.set(p.id, p); }
  return [...agents.values()].map((agent) => {
    const desk = makeDevice(r, 'desktop', true); // `shared`: no cookie churn, others' tickets are logged on it
    agent.devices.push(desk);
    return { agent, desk };
  });
}

/** Product ids of the catalogue, dealt into taste groups at random; within a group the first products are the most liked. */
export function tasteCatalogue(t: Random, products: number, groups: number): string[][] {
  const ids = Array.from({ length: products }, (_, i) => `sku-${String(i + 1).padStart(4, '0')}`);
  for (let i = ids.length - 1; i > 0; i--) { const j = t.int(0, i); [ids[i], ids[j]] = [ids[j]!, ids[i]!]; }
  return Array.from({ length: groups }, (_, g) => ids.filter((_, i) => i % groups === g));
}

/** A product drawn with a long tail: index ⌊n·u²⌋ favours the first products of the list. */
const skewed = (t: Random, xs: readonly string[]): string => xs[Math.floor(xs.length * t.next() ** 2)]!;

/** Builds the population and every touchpoint, sorted by time except the CRM import, which arrives last. */
export function generate(o: PopulationOptions): Generated {
  const r = new Random(o.seed);
  const people: Person[] = [];
  const households: Person[][] = [];
  for (let i = 0; i < o.people;) {
    const size = r.chance(0.25) ? r.int(2, 4) : 1;
    const region = r.pick(REGIONS);
    const members: Person[] = [];
    const sharedPc = size > 1 && r.chance(o.sharedDeviceRate * 4) ? makeDevice(r, 'desktop', true) : null;
    const familyEmail = size > 1 && r.chance(o.sharedEmailRate * 4) ? `family.${r.hex(6)}@mailbox.io` : null;
    for (let k = 0; k < size && i < o.people; k++, i++) {
      const preference = !o.regionalPatterns ? 'usual' : ['GB', 'DE', 'FR'].includes(region.country) ? 'europe' : region.country === 'IN' ? 'asia' : 'usual';
      const devices: Device[] = [makeDevice(r, r.pick(FIRST_DEVICE[preference]!))];
      if (o.maxDevices >= 2 && r.chance(0.5)) devices.push(makeDevice(r, r.pick(['mobile', 'tablet', 'desktop'] as DeviceKind[])));
      if (o.maxDevices >= 3 && r.chance(0.15)) devices.push(makeDevice(r, 'tablet'));
      for (let extra = 3; extra < o.maxDevices; extra++) if (r.chance(0.1)) devices.push(makeDevice(r, r.pick(['mobile', 'tablet', 'desktop'] as DeviceKind[])));
      if (sharedPc) devices.push(sharedPc);
      const userId = `usr_${r.hex(10)}`;
      const email = familyEmail ?? `${r.pick(['ana', 'ben', 'chen', 'dara', 'eli', 'femi', 'gus', 'hana'])}.${r.hex(5)}@${r.pick(['gmail.com', 'outlook.com', 'acme.io', 'web.de'])}`;
      const phoneForms = region.phone(r);
      const p: Person = {
        id: i, userId, email, phone: phoneForms[region.usual], phoneForms, crmId: `crm-${100000 + i}`, region, devices,
        registered: r.chance(o.registeredRate), inbox: null, phoneLead: false,
      };
      members.push(p);
      people.push(p);
    }
    households.push(members);
  }
  // The optional scenarios draw only when enabled, after the people, so the default population is unchanged.
  if (o.sharedInboxRate > 0) assignInboxes(r, people, o.sharedInboxRate);
  const desks = o.supportDeskRate > 0 ? hireAgents(r, people) : [];
  if (o.crmPhoneRate > 0) for (const p of people) p.phoneLead = r.chance(o.crmPhoneRate);

  // Tastes draw from their own generator, after everything else is set up (see PopulationOptions.tasteGroups).
  const t = o.tasteGroups > 0 ? new Random((o.seed ^ 0x7a57e5) >>> 0) : null;
  const shelves = t ? tasteCatalogue(t, Math.max(o.catalogue, o.tasteGroups), o.tasteGroups) : [];
  const everything = shelves.flat().sort();
  const x = o.regionalPatterns ? new Random((o.seed ^ 0x7e4e5) >>> 0) : null;
  /** A customer's text: the planted theme for Berlin after the middle of the period (60% of texts), else the usual. */
  const textOf = (p: Person, at: number): string =>
    p.region.country === PLANTED_THEME.country && p.region.region === PLANTED_THEME.region && at > o.start + span / 2 && x!.chance(0.6)
      ? x!.pick(PLANTED_TEXTS) : x!.pick(USUAL_TEXTS);

  const span = o.days * 86_400_000;
  const out: Touchpoint[] = [];
  const truth = new Map<string, number>();
  const emit = (p: Person, t: Touchpoint) => { out.push(t); truth.set(t.messageId, p.id); };
  const ctx = (p: Person, d: Device, page: string | null): Context => {
    const camp = r.pick(CAMPAIGNS);
    return {
      ip: `10.${p.id % 250}.${r.int(0, 255)}.${r.int(1, 254)}`, userAgent: `Mozilla/5.0 (${d.os})`, locale: p.region.locale, timezone: p.region.tz,
      page: page ? { path: page, referrer: null, search: null, title: null, url: `https://shop.example${page}` } : null,
      campaign: camp ? { ...camp, term: null, content: null } : null,
      device: { id: d.app ? (r.chance(o.placeholderRate) ? 'unknown' : d.id) : null, advertisingId: d.adId && r.chance(o.placeholderRate * 5) ? '00000000-0000-0000-0000-000000000000' : d.adId, type: d.kind, model: d.model, manufacturer: null },
      os: { name: d.os, version: null }, app: d.app ? { name: 'Tessera Shop', version: '4.2.0', build: null } : null,
      location: { country: p.region.country, region: p.region.region, city: p.region.city }, traits: {},
    };
  };
  // messageId is a default argument: callers drawing from the taste generator pass theirs, leaving `r` untouched.
  const base = (p: Person, ts: number, source: string, messageId = r.uuid()): Touchpoint => ({
    messageId, type: 'track', event: null, name: null, userId: null, anonymousId: null, previousId: null, groupId: null,
    timestamp: ts, sentAt: null, receivedAt: null, source, context: null, traits: {}, properties: {}, externalIds: [],
  });

  for (const p of people) {
    const taste = t ? shelves[t.int(0, shelves.length - 1)]! : [];
    const sessions = Math.max(1, Math.round(o.sessions * (0.5 + r.next())));
    const loginSession = p.registered ? r.int(0, Math.max(0, sessions - 1)) : Number.POSITIVE_INFINITY;
    let ts = o.start + Math.floor(r.next() * span * 0.5);
    for (let s = 0; s < sessions; s++) {
      const d = r.pick(p.devices);
      if (!d.app && !d.shared && r.chance(o.cookieChurnRate)) d.cookie = r.uuid(); // cookie churn: cleared cookies, new browser
      // A reinstalled app: a new anonymousId and vendor device id; the advertising id survives; a logged-in user logs in again.
      const reinstalled = d.app && o.appResetRate > 0 && r.chance(o.appResetRate);
      if (reinstalled) d.id = r.uuid().toUpperCase();
      const source = d.app ? (d.os === 'iOS' ? 'ios' : 'android') : 'web';
      const loggedIn = s >= loginSession;
      const logsIn = s === loginSession || (reinstalled && s > loginSession);
      const anonymousId = r.chance(o.placeholderRate) ? 'null' : (d.app ? d.id.toLowerCase() : d.cookie);
      const views = r.int(1, 6);
      const cart: { product_id: string; price: number }[] = [];
      let shopped = ts;
      let checkout: Context | null = null;
      for (let v = 0; v < views; v++) {
        ts += r.int(5_000, 240_000);
        const page = r.pick(PAGES);
        const view = { ...base(p, ts, source), type: (d.app ? 'screen' : 'page') as Touchpoint['type'], name: page, anonymousId, userId: loggedIn && !logsIn ? p.userId : null, context: ctx(p, d, d.app ? null : page) };
        emit(p, view);
        checkout = view.context;
        if (page.startsWith('/product') && r.chance(0.5)) {
          ts += r.int(1000, 20_000);
          emit(p, { ...base(p, ts, source), event: r.chance(o.invalidRate * 50) ? '' : 'Product Viewed', anonymousId, userId: view.userId, context: view.context, properties: { product: r.pick(PRODUCTS), price: r.int(5, 200) } });
        }
        // Planted tastes: within the 5 s before the next page, a catalogue product is viewed and perhaps added to the cart.
        if (t && t.chance(0.6)) {
          const product = t.chance(o.tasteStrength) ? skewed(t, taste) : skewed(t, everything);
          const price = 5 + (Number(product.slice(4)) * 37) % 195;
          shopped = ts + t.int(500, 3_000);
          emit(p, { ...base(p, shopped, source, t.uuid()), event: 'Product Viewed', anonymousId, userId: view.userId, context: view.context, properties: { product_id: product, price } });
          if (t.chance(0.3)) {
            shopped += t.int(200, 900);
            cart.push({ product_id: product, price });
            emit(p, { ...base(p, shopped, source, t.uuid()), event: 'Product Added', anonymousId, userId: view.userId, context: view.context, properties: { product_id: product, price, quantity: 1 } });
          }
        }
      }
      if (t && cart.length > 0 && t.chance(0.5)) {
        // Checkout: the server records a logged-in customer's order by user id; an anonymous one orders in the browser / app.
        const at = shopped + t.int(100, 900);
        const properties = { orderId: t.hex(8), revenue: cart.reduce((sum, c) => sum + c.price, 0), currency: 'EUR', products: JSON.stringify(cart.map((c) => ({ ...c, quantity: 1 }))) };
        emit(p, loggedIn && !logsIn
          ? { ...base(p, at, 'server', t.uuid()), event: 'Order Completed', userId: p.userId, properties }
          : { ...base(p, at, source, t.uuid()), event: 'Order Completed', anonymousId, context: checkout, properties });
      }
      if (logsIn) {
        ts += r.int(2000, 60_000);
        let email = r.chance(o.placeholderRate * 3) ? r.pick(PLACEHOLDER_EMAILS) : messyEmail(r, p.email);
        if (p.inbox !== null && r.chance(0.5)) email = messyEmail(r, p.inbox); // signed up with the team's inbox
        const identify: Touchpoint = { ...base(p, ts, source), type: 'identify', userId: p.userId, anonymousId, context: ctx(p, d, null), traits: { email, name: `Person ${p.id}`, plan: r.pick(['free', 'pro', 'team']) } };
        if (p.phoneLead) identify.traits.phone = p.phoneForms.international; // the checkout form asks for it with the country code
        emit(p, identify);
      }
      if (loggedIn && r.chance(0.3)) {
        ts += r.int(10_000, 120_000);
        const revenue = r.int(10, 400) + r.int(0, 99) / 100;
        emit(p, { ...base(p, ts, 'server'), event: 'Order Completed', userId: p.userId, properties: { revenue, currency: 'EUR', orderId: r.hex(8) } });
      }
      ts += r.int(3_600_000, Math.floor(span / sessions));
    }
    if (r.chance(0.15)) {
      // A support ticket, known only by the email the customer wrote from.
      const ticket: Touchpoint = { ...base(p, o.start + Math.floor(r.next() * span), 'support'), event: 'Ticket Created', traits: { email: messyEmail(r, p.email) }, properties: { channel: r.pick(['email', 'chat']) } };
      if (p.inbox !== null && r.chance(0.7)) ticket.traits = { email: messyEmail(r, p.inbox) }; // written from the team's inbox
      if (desks.length > 0 && r.chance(o.supportDeskRate)) {
        // Taken on the phone and logged by an agent: the agent's browser cookie and computer travel with the customer's email.
        const { agent, desk } = r.pick(desks);
        emit(p, { ...ticket, anonymousId: desk.cookie, context: ctx(agent, desk, '/helpdesk'), properties: { channel: 'phone' } });
      } else emit(p, ticket);
      if (x) out[out.length - 1]!.properties.text = textOf(p, out[out.length - 1]!.timestamp);
    }
    if (x) {
      // Free text beyond tickets: a survey answer (half the people) and a social mention (a third), matched by email.
      const located = { ...emptyContext(), location: { country: p.region.country, region: p.region.region, city: p.region.city } };
      if (x.chance(0.5)) {
        const at = o.start + Math.floor(x.next() * span);
        emit(p, { ...base(p, at, 'survey', x.uuid()), event: 'Survey Answered', traits: { email: p.email }, context: located, properties: { answer: textOf(p, at), score: x.int(0, 10) } });
      }
      if (x.chance(0.35)) {
        const at = o.start + Math.floor(x.next() * span);
        emit(p, { ...base(p, at, 'social', x.uuid()), event: 'Social Mention', traits: { email: p.email }, context: located, properties: { text: textOf(p, at), network: x.pick(['x', 'instagram', 'reddit']) } });
      }
    }
  }
  out.sort((a, b) => a.timestamp - b.timestamp || (a.messageId < b.messageId ? -1 : 1));

  // The CRM export lands at the end, late: every registered customer with email, phone in local formats and CRM id.
  for (const p of people) {
    if (!p.registered || !r.chance(0.6)) continue;
    const email = p.inbox !== null && r.chance(0.5) ? p.inbox : p.email;
    emit(p, {
      ...base(p, o.start + Math.floor(r.next() * span), 'crm'), type: 'identify', userId: p.userId,
      // The CRM knows the customer's country: the resolver reads national phone formats in that region.
      context: { ...emptyContext(), location: { country: p.region.country, region: null, city: null } },
      traits: { email: messyEmail(r, email), phone: p.phone },
      externalIds: [{ type: 'crm_id', id: p.crmId, collection: 'contacts' }],
    });
  }
  // The call centre's export, last of all: a row per caller with the number in national format, the country, and the
  // call centre's own id; no user id, no email. Only the phone can tie it to the person.
  for (const p of people) {
    if (!p.phoneLead) continue;
    emit(p, {
      ...base(p, o.start + Math.floor(r.next() * span), 'crm'), type: 'identify',
      context: { ...emptyContext(), location: { country: p.region.country, region: null, city: null } },
      traits: { phone: messyNationalPhone(r, p.phoneForms.national), name: `Person ${p.id}` },
      externalIds: [{ type: 'callcentre_id', id: `cc-${r.hex(8)}`, collection: 'users' }],
    });
  }
  return { touchpoints: out, truth };
}
