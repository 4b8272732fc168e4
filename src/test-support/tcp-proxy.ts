// A TCP proxy in front of a server, for tests that take the server away without touching it: cut()
// closes every connection and refuses new ones (as a restarting PostgreSQL does), restore() listens
// again on the same port.
import { createServer, connect, type Server, type Socket } from "node:net";

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface TcpProxy {
  port: number;
  /** connections accepted so far */
  readonly connections: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let connections = 0;
  let server: Server | undefined;
  const listen = async () => {
    server = createServer((client) => {
      connections++;
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(port, "127.0.0.1", resolve);
    });
  };
  const cut = async () => {
    const closing = server;
    server = undefined;
    if (closing) await new Promise((resolve) => { closing.close(resolve); for (const socket of sockets) socket.destroy(); });
  };
  await listen();
  return {
    port,
    get connections() {
      return connections;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
