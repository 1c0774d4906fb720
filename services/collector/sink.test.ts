import { describe, expect, it } from 'vitest';
import { KafkaSink, type OutboundMessage, type SendGroup } from './sink.ts';

const msg = (n: number, bytes = 10): OutboundMessage => ({ topic: 't', key: `k${n}`, value: Buffer.alloc(bytes) });

/** A fake Kafka whose produces settle only when the test says so. */
function manualKafka() {
  const groups: { messages: OutboundMessage[]; ack: () => void; fail: (e: Error) => void }[] = [];
  const send: SendGroup = (messages) => new Promise((resolve, reject) => groups.push({ messages, ack: resolve, fail: reject }));
  return { send, groups };
}

const sinkWith = (send: SendGroup, o: Partial<ConstructorParameters<typeof KafkaSink>[1]> = {}) => {
  const s = new KafkaSink(send, { timeoutMs: 200, maxInflightRequests: 10, maxInflightBytes: 10_000, ...o });
  s.setConnected(true);
  return s;
};

describe('KafkaSink', () => {
  it('answers only after Kafka acknowledged', async () => {
    const k = manualKafka();
    const s = sinkWith(k.send);
    let settled = false;
    const p = s.publish([msg(1)]).then((r) => { settled = true; return r; });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    k.groups[0]!.ack();
    expect(await p).toEqual({ ok: true });
  });

  it('groups requests that arrive while a produce is in flight into the next produce', async () => {
    const k = manualKafka();
    const s = sinkWith(k.send);
    const first = s.publish([msg(1)]);
    const rest = [s.publish([msg(2)]), s.publish([msg(3), msg(4)])];
    expect(k.groups).toHaveLength(1);
    k.groups[0]!.ack();
    await first;
    expect(k.groups).toHaveLength(2);
    expect(k.groups[1]!.messages.map((m) => m.key)).toEqual(['k2', 'k3', 'k4']);
    k.groups[1]!.ack();
    expect(await Promise.all(rest)).toEqual([{ ok: true }, { ok: true }]);
  });

  it.each<[string, Partial<ConstructorParameters<typeof KafkaSink>[1]>, OutboundMessage[], string]>([
    ['too many requests in flight', { maxInflightRequests: 1 }, [msg(9)], 'TSR_COLLECT_OVERLOADED'],
    ['too many bytes in flight', { maxInflightBytes: 100 }, [msg(9, 95)], 'TSR_COLLECT_OVERLOADED'],
  ])('refuses at once when %s', async (_n, o, messages, code) => {
    const k = manualKafka();
    const s = sinkWith(k.send, o);
    void s.publish([msg(1)]);
    expect(await s.publish(messages)).toMatchObject({ ok: false, code });
  });

  it('times out a produce Kafka does not acknowledge, keeps counting it, then refuses new ones while stalled', async () => {
    const k = manualKafka();
    const s = sinkWith(k.send, { timeoutMs: 50 });
    expect(await s.publish([msg(1)])).toMatchObject({ ok: false, code: 'TSR_COLLECT_PRODUCE_TIMEOUT' });
    expect(s.inflight.requests).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(s.stalled).toBe(true);
    expect(await s.publish([msg(2)])).toMatchObject({ ok: false, code: 'TSR_COLLECT_KAFKA_UNAVAILABLE' });
    k.groups[0]!.ack();
    await new Promise((r) => setTimeout(r, 0));
    expect(s.inflight).toEqual({ requests: 0, bytes: 0 });
    expect(s.stalled).toBe(false);
  });

  it('reports a failed produce', async () => {
    const k = manualKafka();
    const s = sinkWith(k.send);
    const p = s.publish([msg(1)]);
    k.groups[0]!.fail(new Error('MESSAGE_TOO_LARGE'));
    expect(await p).toMatchObject({ ok: false, code: 'TSR_COLLECT_PRODUCE_FAILED', message: expect.stringContaining('MESSAGE_TOO_LARGE') });
  });

  it('refuses while not connected', async () => {
    const s = new KafkaSink(manualKafka().send, { timeoutMs: 50, maxInflightRequests: 1, maxInflightBytes: 100 });
    expect(await s.publish([msg(1)])).toMatchObject({ ok: false, code: 'TSR_COLLECT_KAFKA_UNAVAILABLE' });
  });
});
