/** Loopback TCP ports for tests: one held by a listening server, one that nothing listens on. */
import { createServer, type Server, type Socket } from 'node:net';

/** A TCP server on 127.0.0.1 and its port: listening there fails, and connecting reaches `onConnection`. */
export async function listeningServer(onConnection?: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

/** A port of 127.0.0.1 that nothing listens on (it was free a moment ago): connecting there is refused. */
export async function closedPort(): Promise<number> {
  const { server, port } = await listeningServer();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
