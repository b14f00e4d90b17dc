import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does to traffic (RELIABILITY "Tools on this machine": our toxiproxy):
 * - `pass`: forward both ways.
 * - `blackhole`: accept and hold connections, forward nothing (toxiproxy `timeout` 0).
 * - `reset`: destroy every open and new connection at once (`reset_peer`).
 * - `latency`: forward each chunk after `latencyMs`.
 * - `limit`: forward `limitBytes` downstream per connection, then close it (`limit_data`).
 * - `slow`: forward one byte every `slowMs` (slow body / slowloris).
 */
export type FaultMode = 'pass' | 'blackhole' | 'reset' | 'latency' | 'limit' | 'slow';

export interface FaultProxy {
  /** `host:port` to connect to instead of the target. */
  readonly port: number;
  mode: FaultMode;
  latencyMs: number;
  limitBytes: number;
  slowMs: number;
  /** Switches mode; `reset` also drops every open connection. */
  set(mode: FaultMode): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** A small TCP fault proxy to `targetHost:targetPort`, on 127.0.0.1 with a free port. */
export async function startFaultProxy(targetHost: string, targetPort: number): Promise<FaultProxy> {
  const open = new Set<Socket>();
  let accepted = 0;
  const proxy: FaultProxy = {
    port: 0,
    mode: 'pass',
    latencyMs: 0,
    limitBytes: 0,
    slowMs: 1000,
    get accepted() {
      return accepted;
    },
    set(mode) {
      proxy.mode = mode;
      if (mode === 'reset') for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };

  const forward = (from: Socket, to: Socket, downstream: boolean) => {
    let sent = 0;
    from.on('data', (chunk: Buffer) => {
      switch (proxy.mode) {
        case 'blackhole':
          return;
        case 'reset':
          from.destroy();
          to.destroy();
          return;
        case 'latency':
          setTimeout(() => to.destroyed || to.write(chunk), proxy.latencyMs);
          return;
        case 'limit':
          if (downstream) {
            const room = proxy.limitBytes - sent;
            if (room > 0) to.write(chunk.subarray(0, room));
            sent += chunk.length;
            if (sent >= proxy.limitBytes) {
              from.destroy();
              to.destroy();
            }
            return;
          }
          to.write(chunk);
          return;
        case 'slow': {
          from.pause();
          let i = 0;
          const drip = () => {
            if (to.destroyed) return;
            if (i >= chunk.length) {
              from.resume();
              return;
            }
            to.write(chunk.subarray(i, ++i));
            setTimeout(drip, proxy.slowMs);
          };
          drip();
          return;
        }
        case 'pass':
          to.write(chunk);
      }
    });
    from.on('end', () => to.end());
  };

  const server: Server = createServer((client) => {
    accepted++;
    if (proxy.mode === 'reset') {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    forward(client, upstream, false);
    forward(upstream, client, true);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  Object.defineProperty(proxy, 'port', { value: typeof address === 'object' && address ? address.port : 0 });
  return proxy;
}
