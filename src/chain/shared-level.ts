/**
 * The second cache level shared by replicas: Redis (CHIA_GATEWAY_REDIS_URL), under each replica's
 * in-memory block cache. It holds only what cannot change (blocks buried at least
 * config.confirmations deep, their header blocks and coin lists), so a reorg never needs a
 * fleet-wide invalidation, and keys carry the network id. Redis enforces the byte budget and the
 * eviction (its maxmemory and maxmemory-policy).
 *
 * Fleet-wide single flight: a replica missing a batch takes a short lock (SET NX PX) before asking
 * the peers; the others wait for its result by polling, at most the lock's lifetime, so a holder
 * that died never blocks them longer.
 *
 * Redis down or slow is a degradation, never an outage: every command has a deadline
 * (config.redis.timeoutMs) and nothing is queued while the connection is down, so a request falls
 * back to memory and the peers within that bound; ioredis reconnects on its own, and the level is
 * used again as soon as it is back.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** What /v1/status and the metrics show: off (not configured), up, or down (unreachable, slow, or failing). */
export type SharedState = 'off' | 'up' | 'down';

export interface SharedStats {
  state: SharedState;
  hits: number;
  misses: number;
  /** Commands that failed or passed their deadline. */
  errors: number;
  /** Loads this replica left to another one holding the fleet-wide lock. */
  lock_waits: number;
  last_error: string | null;
}

/** The shared level as the block cache uses it (a test double can stand in). */
export interface SharedLevel {
  /** The values of `keys` (null where missing); null when the level is unavailable now. */
  read(keys: string[]): Promise<(Buffer | null)[] | null>;
  /** Stores values, without waiting: a failed write only costs a later miss. */
  write(entries: [string, Buffer][]): void;
  /**
   * The value `read` finds; otherwise `fetch`'s, made once across the fleet: under the lock `name`
   * one replica fetches and writes while the others poll `read` (at most the lock's lifetime).
   * Counted once per call, however often `read` ran: a hit when the value came from this level, a
   * miss when `fetch` made it.
   */
  through<T>(name: string, read: () => Promise<T | undefined>, fetch: () => Promise<T>, write: (value: T) => void): Promise<T>;
  /** A key of this level: every key carries the network id. */
  key(...parts: (string | number)[]): string;
  stats(): SharedStats;
  close(): Promise<void>;
}

/** What the level logs with (the app's pino logger). */
interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface RedisLevelOptions {
  url: string;
  network: string;
  timeoutMs: number;
  lockMs: number;
  logger?: Logger;
  /** Called when the state changes (metrics). */
  onState?: (state: SharedState) => void;
  /** Called on every counted lookup and failed command (metrics). */
  onCount?: (result: 'hit' | 'miss' | 'error') => void;
}

/** How often a replica waiting for another's load looks for its result. */
const LOCK_POLL_MS = 20;
/** Longest pause between two reconnection attempts: Redis coming back is used within this. */
const MAX_RECONNECT_DELAY_MS = 2_000;
const RECONNECT_STEP_MS = 100;
/** Prefix of every key, before the network id. */
const KEY_PREFIX = 'chia-gateway';
/** Deletes the lock only if it is still ours: one that expired and was taken by another replica stays. */
const RELEASE_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export class RedisLevel implements SharedLevel {
  readonly #redis: Redis;
  readonly #options: RedisLevelOptions;
  /** The last command succeeded: with the connection ready, the level is up. */
  #healthy = true;
  #state: SharedState = 'down';
  readonly #stats = { hits: 0, misses: 0, errors: 0, lock_waits: 0, last_error: null as string | null };

  constructor(options: RedisLevelOptions) {
    this.#options = options;
    this.#redis = new Redis(options.url, {
      // Nothing waits for a connection that is down: commands fail at once and the request goes on
      // without Redis; a slow one fails at its deadline.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1_000),
      retryStrategy: (attempt) => Math.min(attempt * RECONNECT_STEP_MS, MAX_RECONNECT_DELAY_MS),
    });
    this.#redis.on('ready', () => {
      this.#healthy = true;
      this.#update();
      options.logger?.info({ redis: redactedUrl(options.url) }, 'redis shared cache connected');
    });
    this.#redis.on('close', () => this.#update());
    this.#redis.on('error', (error: Error) => this.#failed(error));
  }

  key(...parts: (string | number)[]): string {
    return [KEY_PREFIX, this.#options.network, ...parts].join(':');
  }

  async read(keys: string[]): Promise<(Buffer | null)[] | null> {
    if (!this.#usable()) return null;
    try {
      const values = await this.#redis.mgetBuffer(...keys);
      this.#succeeded();
      return values;
    } catch (error) {
      this.#failed(error);
      return null;
    }
  }

  write(entries: [string, Buffer][]): void {
    if (!this.#usable() || entries.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const [key, value] of entries) pipeline.set(key, value);
    pipeline.exec().then(
      (results) => {
        const failed = results?.find(([error]) => error !== null)?.[0];
        if (failed) this.#failed(failed);
        else this.#succeeded();
      },
      (error: unknown) => this.#failed(error),
    );
  }

  async through<T>(name: string, read: () => Promise<T | undefined>, fetch: () => Promise<T>, write: (value: T) => void): Promise<T> {
    const hit = (value: T) => (this.#count('hit'), value);
    const miss = () => (this.#count('miss'), fetch());
    const found = await read();
    if (found !== undefined) return hit(found);
    const lock = this.key('lock', name);
    const token = randomBytes(16).toString('hex');
    const taken = await this.#command(() => this.#redis.set(lock, token, 'PX', this.#options.lockMs, 'NX'));
    if (taken === 'OK') {
      try {
        // The holder before us may have written it between our read and our lock.
        const again = await read();
        if (again !== undefined) return hit(again);
        const value = await miss();
        write(value);
        return value;
      } finally {
        void this.#command(() => this.#redis.eval(RELEASE_SCRIPT, 1, lock, token));
      }
    }
    // Another replica is loading it (or Redis is unavailable: taken is undefined, and we load at once).
    if (taken === null) {
      this.#stats.lock_waits++;
      const deadline = Date.now() + this.#options.lockMs;
      while (Date.now() < deadline) {
        await sleep(LOCK_POLL_MS);
        // Looked at before the value: a holder that wrote and released between the two is not missed.
        const held = (await this.#command(() => this.#redis.exists(lock))) === 1;
        const value = await read();
        if (value !== undefined) return hit(value);
        // Released without the value (its load failed), expired, or Redis went away: load it ourselves.
        if (!held) break;
      }
    }
    return miss();
  }

  #count(result: 'hit' | 'miss'): void {
    if (result === 'hit') this.#stats.hits++;
    else this.#stats.misses++;
    this.#options.onCount?.(result);
  }

  stats(): SharedStats {
    return { state: this.#state, ...this.#stats };
  }

  async close(): Promise<void> {
    this.#redis.removeAllListeners('ready');
    this.#redis.disconnect();
  }

  #usable(): boolean {
    return this.#redis.status === 'ready';
  }

  /** A command's result, or undefined when Redis is unavailable or the command failed (counted). */
  async #command<T>(run: () => Promise<T>): Promise<T | undefined> {
    if (!this.#usable()) return undefined;
    try {
      const result = await run();
      this.#succeeded();
      return result;
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
  }

  #succeeded(): void {
    if (this.#healthy) return;
    this.#healthy = true;
    this.#update();
  }

  #failed(error: unknown): void {
    this.#stats.errors++;
    this.#options.onCount?.('error');
    const message = error instanceof Error ? error.message : String(error);
    if (this.#healthy || this.#stats.last_error !== message) {
      this.#options.logger?.warn({ redis: redactedUrl(this.#options.url), err: message }, 'redis shared cache unavailable: serving from memory and the peers');
    }
    this.#stats.last_error = message;
    this.#healthy = false;
    this.#update();
  }

  #update(): void {
    const state: SharedState = this.#usable() && this.#healthy ? 'up' : 'down';
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onState?.(state);
  }
}

/** The URL without its password, for logs. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
