import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly body: string;
  /** Bytes of the request body the client had written when the answer arrived. */
  readonly bodyBytesWritten: number;
  /** Whether the server closed the connection after answering. */
  readonly closed: boolean;
}

/**
 * Sends a request head on a raw socket, then feeds body chunks from `nextChunk` (undefined ends
 * the body, `null` pauses for `pauseMs`) until the server answers — for the tests that must see
 * what the server does before the body is complete (ING-06, ING-07, ING-23).
 */
export function rawRequest(
  url: string,
  head: string,
  nextChunk: (written: number) => Buffer | null | undefined,
  options: { pauseMs?: number; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname);
    let received = '';
    let written = 0;
    let answered = false;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 10000} ms; got ${received.slice(0, 200)}`));
    }, options.timeoutMs ?? 10000);
    const finish = () => {
      clearTimeout(timer);
      const [headPart = '', ...rest] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headPart)?.[1] ?? 0);
      resolve({ status, head: headPart, body: rest.join('\r\n\r\n'), bodyBytesWritten: written, closed });
    };
    socket.on('data', (d) => {
      received += d.toString();
      if (!answered && received.includes('\r\n\r\n')) {
        answered = true;
        // Give the server a moment to close (or not) after its answer.
        setTimeout(() => {
          socket.destroy();
          finish();
        }, 150);
      }
    });
    // 'end': the server closed its side (a local destroy() never emits it).
    socket.on('end', () => {
      closed = true;
    });
    socket.on('error', () => {
      closed = true;
    });
    socket.on('connect', () => {
      socket.write(head);
      const pump = () => {
        if (answered || socket.destroyed) return;
        const chunk = nextChunk(written);
        if (chunk === undefined) return;
        if (chunk === null) {
          setTimeout(pump, options.pauseMs ?? 100);
          return;
        }
        written += chunk.length;
        if (socket.write(chunk)) setImmediate(pump);
        else socket.once('drain', pump);
      };
      pump();
    });
  });
}
