import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BodyTooLargeError,
  buildResponse,
  decodeBody,
  failureResponse,
  headerValue,
  parseMessages,
  readBody,
  verifySignature,
  verifyWebhookV2,
  type FailListItem,
} from '../../../packages/receiver-kit/src/index.ts';
import { UsageError, type CliIo, type Command } from '../command.ts';

const maxBodyBytes = 10 * 1024 * 1024;

interface ReceiverSettings {
  readonly secret: string | undefined;
  readonly v2Secrets: readonly string[];
  readonly failRate: number;
  readonly partialRate: number;
  readonly delayMs: number;
  readonly status: number | undefined;
}

function rate(name: string, raw: unknown): number {
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (String(raw).trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UsageError(`--${name} must be a number from 0 to 1`);
  return value;
}

function integer(name: string, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(String(raw))) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return value;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Handles one request: prints the batch (with the signature checks) and answers as configured. */
async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  number: number,
  settings: ReceiverSettings,
  io: CliIo,
): Promise<void> {
  const head = `#${number} ${req.method} ${req.url}`;
  if (req.method !== 'POST') {
    io.out(`${head} → 405 (only POST)`);
    return json(res, 405, failureResponse('use POST'));
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, maxBodyBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    io.out(`${head} → 413 (${error.message})`);
    return void res.writeHead(413, { connection: 'close' }).end();
  }
  const encoding = headerValue(req.headers, 'content-encoding');
  const decoded = decodeBody(raw, encoding, maxBodyBytes);
  if (!decoded.ok) {
    io.out(`${head} ${raw.length} bytes → ${decoded.status} (${decoded.error})`);
    return json(res, decoded.status, failureResponse(decoded.error));
  }
  const checks: string[] = [];
  let signed = true;
  if (settings.secret !== undefined) {
    const signature = headerValue(req.headers, 'x-te-ops-signature');
    const ok = verifySignature(decoded.json, signature, settings.secret);
    checks.push(`X-TE-OPS-Signature ${signature === undefined ? 'MISSING' : ok ? 'ok' : 'INVALID'}`);
    signed &&= ok;
  }
  if (settings.v2Secrets.length > 0) {
    const ok = verifyWebhookV2(decoded.json, req.headers, settings.v2Secrets);
    checks.push(`webhook-signature ${ok ? 'ok' : 'INVALID'}`);
    signed &&= ok;
  }
  const size = encoding
    ? `${raw.length} bytes ${encoding}, ${decoded.json.length} decoded`
    : `${raw.length} bytes`;
  const parsed = parseMessages(decoded.json);
  const count = parsed.ok ? `${parsed.messages.length} messages` : 'unreadable batch';
  io.out(`${head} ${count}, ${size}${checks.length ? `, ${checks.join(', ')}` : ''}`);
  if (parsed.ok) {
    parsed.messages.forEach((message, i) => io.out(`  [${i + 1}] ${JSON.stringify(message)}`));
  } else io.out(`  ${decoded.json.subarray(0, 200).toString('utf8')}`);

  if (!signed) {
    io.out('  → 401 invalid signature');
    return json(res, 401, failureResponse('invalid signature'));
  }
  if (!parsed.ok) {
    io.out(`  → 400 ${parsed.error}`);
    return json(res, 400, failureResponse(parsed.error));
  }
  if (settings.delayMs > 0) await sleep(settings.delayMs);
  if (settings.status !== undefined && settings.status !== 200) {
    io.out(`  → ${settings.status} (--status)`);
    return json(res, settings.status, failureResponse(`mock receiver answers ${settings.status}`));
  }
  if (settings.failRate > 0 && Math.random() < settings.failRate) {
    io.out('  → 500 (--fail-rate)');
    return json(res, 500, failureResponse('mock failure of the whole batch'));
  }
  const failures: FailListItem[] = [];
  parsed.messages.forEach((_message, i) => {
    if (settings.partialRate > 0 && Math.random() < settings.partialRate)
      failures.push({ index: i + 1, message: 'mock partial failure' });
  });
  io.out(`  → 200 fail_list [${failures.map((f) => f.index).join(',')}]`);
  return json(res, 200, buildResponse(failures));
}

/**
 * `touchpoint receiver`: a mock custom-channel endpoint for trying channels out. It prints every
 * batch (checking signatures when given the secret) and answers with configurable failures,
 * partial failures, delays or a fixed status. Touchpoint only reaches it when
 * `TOUCHPOINT_ALLOW_TARGETS` allows its address (e.g. `127.0.0.1/32`).
 *
 * @example
 *   touchpoint receiver --port 8999 --secret my-token --partial 0.2 --delay-ms 100
 */
export const receiverCommand: Command = {
  name: 'receiver',
  summary: 'Run a mock custom-channel receiver that prints each batch and answers as configured.',
  usage:
    'receiver [--port P] [--host H] [--secret S] [--v2-secret K] [--fail-rate R] [--partial R] [--delay-ms N] [--status N]',
  options: {
    port: { type: 'string', default: '8999' },
    host: { type: 'string', default: '127.0.0.1' },
    secret: { type: 'string' },
    'v2-secret': { type: 'string', multiple: true },
    'fail-rate': { type: 'string' },
    partial: { type: 'string' },
    'delay-ms': { type: 'string' },
    status: { type: 'string' },
  },
  optionHelp: [
    ['--port P', 'Listen port (default 8999; 0 picks a free one)'],
    ['--host H', 'Listen address (default 127.0.0.1)'],
    ['--secret S', 'Channel token: check X-TE-OPS-Signature, answer 401 when wrong'],
    ['--v2-secret K', 'Signature v2 key (whsec_…); repeat during a rotation'],
    ['--fail-rate R', 'Fail this share (0-1) of batches with HTTP 500'],
    ['--partial R', 'List this share (0-1) of messages in fail_list'],
    ['--delay-ms N', 'Wait N ms before answering'],
    ['--status N', 'Answer every signed batch with HTTP status N'],
  ],
  async run(values, _positionals, io) {
    const port = integer('port', values.port, 0, 65535) ?? 8999;
    const settings: ReceiverSettings = {
      secret: typeof values.secret === 'string' ? values.secret : undefined,
      v2Secrets: (values['v2-secret'] as string[] | undefined) ?? [],
      failRate: rate('fail-rate', values['fail-rate']),
      partialRate: rate('partial', values.partial),
      delayMs: integer('delay-ms', values['delay-ms'], 0, 3_600_000) ?? 0,
      status: integer('status', values.status, 200, 599),
    };
    let number = 0;
    const server = createServer((req, res) => {
      number += 1;
      receive(req, res, number, settings, io).catch((error: unknown) => {
        io.err(`#${number} failed: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, String(values.host), resolve);
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const checks = [
      settings.secret !== undefined ? 'X-TE-OPS-Signature' : '',
      settings.v2Secrets.length ? 'v2' : '',
    ]
      .filter(Boolean)
      .join(' and ');
    io.out(`touchpoint receiver listening on http://${host}:${address.port}/`);
    io.out(`  signatures: ${checks === '' ? 'not checked (no --secret)' : `${checks} checked`}`);
    const allow = ['0.0.0.0', '::'].includes(address.address) ? '127.0.0.1' : address.address;
    io.out(
      `  Touchpoint reaches it only when started with TOUCHPOINT_ALLOW_TARGETS=${allow}/${allow.includes(':') ? 128 : 32}`,
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        io.err(`received ${signal}, shutting down`);
        server.closeAllConnections();
        server.close(() => resolve());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
