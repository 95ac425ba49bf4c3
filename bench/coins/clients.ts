/**
 * The coin benchmark's WebSocket clients, in their own process so that receiving costs the gateway's
 * event loop nothing (as with remote clients): each subscribes to its keys, and each round reports when
 * the last client got the round's peak and (when the block had watched coins) its coins event.
 */
import WebSocket from 'ws';
import { keysOf, nowMs, type FromClients, type ToClients } from './protocol.js';

/** A client's wait before subscribing again after COINS_UNAVAILABLE (the demo page waits 2 s). */
const RETRY_MS = 2_000;

const sockets: WebSocket[] = [];
let keys = 0;
let round: { round: number; pending: { peak: number; coins: number }; last: { peak: number; coins: number } } | null = null;
let subscribing: { started: number; done: number; retries: number } | null = null;

const send = (message: FromClients) => process.send?.(message);

function subscribe(ws: WebSocket, client: number): void {
  ws.send(JSON.stringify({ type: 'subscribe', topics: ['coins'], puzzle_hashes: keysOf(keys, client) }));
}

function onMessage(ws: WebSocket, data: Buffer): void {
  const type = /"type":"(\w+)"/.exec(data.toString('utf8', 0, 24))?.[1];
  if (type === 'peak' || type === 'coins') {
    if (round === null) return;
    round.last[type] = nowMs();
    if (--round.pending[type] === 0 && round.pending.peak <= 0 && round.pending.coins <= 0) {
      send({ event: 'received', round: round.round, lastPeak: round.last.peak, lastCoins: round.last.coins });
      round = null;
    }
  } else if (type === 'subscribed' && subscribing !== null) {
    if (++subscribing.done === sockets.length) {
      send({ event: 'subscribed', seconds: (nowMs() - subscribing.started) / 1000, retries: subscribing.retries });
      subscribing = null;
    }
  } else if (type === 'error') {
    // As a page does (public/app.js): a subscription the upstream could not serve now is asked again.
    const code = /"code":"(\w+)"/.exec(data.toString('utf8'))?.[1];
    if (code !== 'COINS_UNAVAILABLE' || subscribing === null) return void send({ event: 'failed', message: data.toString('utf8') });
    subscribing.retries++;
    setTimeout(() => subscribe(ws, sockets.indexOf(ws)), RETRY_MS);
  }
}

process.on('message', async (message: ToClients) => {
  if (message.cmd === 'connect') {
    keys = message.keys;
    await Promise.all(
      Array.from({ length: message.count }, () => {
        const ws = new WebSocket(message.url, { perMessageDeflate: false });
        sockets.push(ws);
        ws.on('message', (data: Buffer) => onMessage(ws, data));
        return new Promise<void>((resolve) => ws.once('open', () => resolve()));
      }),
    );
    send({ event: 'connected', count: sockets.length });
  } else if (message.cmd === 'subscribe') {
    subscribing = { started: nowMs(), done: 0, retries: 0 };
    sockets.forEach(subscribe);
  } else if (message.cmd === 'round') {
    round = { round: message.round, pending: { peak: sockets.length, coins: message.coins ? sockets.length : 0 }, last: { peak: 0, coins: 0 } };
    send({ event: 'armed', round: message.round });
  } else if (message.cmd === 'exit') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
