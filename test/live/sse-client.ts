/** A minimal SSE client for tests: parses the stream into events and comments as they arrive. */
import http from 'node:http';
import { eventually } from '../support/eventually.js';

export interface SseEvent {
  id: string | null;
  event: string;
  data: { type: string; id?: number; data?: Record<string, unknown>; [key: string]: unknown };
}

export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  retry: number | null = null;
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended: Promise<void>;
  private request: http.ClientRequest;
  private buffer = '';

  constructor(url: string, headers: Record<string, string> = {}) {
    let done: () => void = () => {};
    this.ended = new Promise((resolve) => (done = resolve));
    this.request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.feed(chunk));
      res.on('end', done);
      res.on('close', done);
    });
    this.request.on('error', done);
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments++;
          continue;
        }
        const colon = line.indexOf(':');
        fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
      }
      if (fields.retry !== undefined) this.retry = Number(fields.retry);
      if (fields.data !== undefined) {
        this.events.push({ id: fields.id ?? null, event: fields.event ?? 'message', data: JSON.parse(fields.data) });
      }
    }
  }

  async until(predicate: (c: SseClient) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await eventually(() => `${what}; got ${this.events.map((e) => e.event).join(',')}`, () => predicate(this), timeoutMs);
  }

  close(): void {
    this.request.destroy();
  }
}
