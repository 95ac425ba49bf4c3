/**
 * The inbound message budget of a WebSocket client (ws.messageRate, ws.messageBurst): a client that
 * floods is told with an error frame naming the limit, then closed with 1008; one within its budget
 * is served. The budget's arithmetic is tested with an explicit clock.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MessageBudget } from '../../src/live/message-budget.js';
import { CLOSE } from '../../src/live/live-sink.js';
import { LiveClient, liveTestScope } from './live-app.js';

/** The flood is cut within its first messages; the close frame's grace period is 1 s. */
const CLOSE_WAIT_MS = 10_000;

const scope = liveTestScope();

async function connected(): Promise<LiveClient> {
  const c = new LiveClient(scope.live.wsUrl());
  scope.closeAfter(() => c.close());
  await c.until((m) => m.length >= 1, 'hello');
  return c;
}

describe('WebSocket inbound message budget', () => {
  it('tells a flooding client which limit it passed, then closes it with 1008; other clients stay', async () => {
    const live = await scope.start({ messageRate: 1, messageBurst: 5 });
    const bystander = await connected();
    const flooder = await connected();
    const FLOOD = 200;
    for (let i = 0; i < FLOOD; i++) flooder.send({ type: 'ping' });
    const closed = await Promise.race([
      flooder.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the flooding client was not closed')), CLOSE_WAIT_MS)),
    ]);
    expect(closed.code).toBe(CLOSE.POLICY_VIOLATION);
    const error = flooder.messages.find((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'MESSAGE_RATE_EXCEEDED' });
    expect(String(error?.message)).toContain('CHIA_GATEWAY_WS_MESSAGE_BURST');
    expect(String(error?.message)).toContain('CHIA_GATEWAY_WS_MESSAGE_RATE');
    // The error is the last frame: nothing the client sent after its budget was answered.
    expect(flooder.messages.at(-1)?.type).toBe('error');
    expect(flooder.count('pong')).toBeGreaterThanOrEqual(5);
    expect(flooder.count('pong')).toBeLessThan(FLOOD);
    const shed = await live.app.metrics.liveSlowClientsTerminated.get();
    expect(shed.values).toEqual([expect.objectContaining({ labels: { transport: 'ws', reason: 'message_rate' }, value: 1 })]);

    bystander.send({ type: 'ping' });
    await bystander.until((m) => m.some((x) => x.type === 'pong'), 'pong for the bystander');
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
    expect(live.app.peakHub.clientCount).toBe(1);
  });

  it('serves a burst within the budget', async () => {
    await scope.start({ messageRate: 1, messageBurst: 5 });
    const c = await connected();
    for (let i = 0; i < 5; i++) c.send({ type: 'ping' });
    await c.until((m) => m.filter((x) => x.type === 'pong').length === 5, 'five pongs');
    expect(c.count('error')).toBe(0);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('MessageBudget', () => {
  it('allows a burst, then refills at the rate, never above the burst', () => {
    const budget = new MessageBudget({ rate: 2, burst: 3 });
    expect([budget.take(0), budget.take(0), budget.take(0), budget.take(0)]).toEqual([true, true, true, false]);
    // 2 per second: one message every 500 ms.
    expect(budget.take(499)).toBe(false);
    expect(budget.take(500)).toBe(true);
    expect(budget.take(500)).toBe(false);
    // A long silence refills up to the burst, not beyond.
    expect([budget.take(60_000), budget.take(60_000), budget.take(60_000), budget.take(60_000)]).toEqual([true, true, true, false]);
  });
});
