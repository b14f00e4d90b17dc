// Real listeners on loopback for the outbound-client tests: they count every TCP connection, so
// a test can assert that a refused target saw none.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Listener {
  readonly port: number;
  readonly host: string;
  /** `http://host:port` (IPv6 hosts bracketed). */
  readonly origin: string;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests seen so far, in order. */
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

async function track(
  server: Server,
  host: string,
  scheme: 'http' | 'https',
  requests: Listener['requests'],
): Promise<Listener> {
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    host,
    origin: `${scheme}://${shown}:${port}`,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function collect(requests: Listener['requests'], handler: Handler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  };
}

/** An HTTP listener on `host` (default 127.0.0.1) answering with `handler`. */
export async function startHttp(handler: Handler, host = '127.0.0.1'): Promise<Listener> {
  const requests: Listener['requests'] = [];
  return track(createServer(collect(requests, handler)), host, 'http', requests);
}

/** An HTTPS listener with the given certificate. */
export async function startHttps(
  handler: Handler,
  tls: { key: string; cert: string },
  host = '127.0.0.1',
): Promise<Listener> {
  const requests: Listener['requests'] = [];
  return track(createHttpsServer(tls, collect(requests, handler)), host, 'https', requests);
}

/** A self-signed certificate for `name` (made by openssl, valid two days). */
export function selfSignedCertificate(name: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tp-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=DNS:${name}`,
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Collects log lines for asserting what reached operator logs (and what did not). */
export function captureLogger(): { lines: string[]; warn(obj: object, msg: string): void } {
  const lines: string[] = [];
  return { lines, warn: (obj, msg) => lines.push(`${msg} ${JSON.stringify(obj)}`) };
}
