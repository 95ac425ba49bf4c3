/**
 * One strict fake node for a test file, and the raw clients its tests open: the node starts before the
 * file's tests, its faults and bans are cleared after each test, and everything closes after them all.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { NodeType } from '../../src/chia/protocol/message-rules.js';
import { startFakeNode, type FakeNode, type FakeNodeOptions } from '../../fake-node/index.js';
import { connectRaw, type RawClient, type RawClientOptions } from '../../fake-node/raw-client.js';

export interface NodeScope {
  readonly node: FakeNode;
  /** A raw client of this scope's node (or of `to`), closed with the scope. */
  connect(options?: RawClientOptions & { to?: FakeNode }): Promise<RawClient>;
  /** A raw client of this scope's node, past its handshake as `nodeType`. */
  ready(nodeType?: number): Promise<RawClient>;
}

export function fakeNodeScope(options: FakeNodeOptions): NodeScope {
  let started: FakeNode | undefined;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    started = await startFakeNode(options);
  });
  afterEach(() => {
    started?.faults.clear();
    started?.unban();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await started?.close();
  });
  const node = (): FakeNode => {
    if (started === undefined) throw new Error('the fake node starts in beforeAll');
    return started;
  };
  const connect = async ({ to = node(), ...clientOptions }: RawClientOptions & { to?: FakeNode } = {}): Promise<RawClient> => {
    const c = await connectRaw(to.url, clientOptions);
    clients.push(c);
    return c;
  };
  return {
    get node() {
      return node();
    },
    connect,
    async ready(nodeType = NodeType.FULL_NODE) {
      const c = await connect();
      await c.handshake(nodeType);
      return c;
    },
  };
}
