import { maskUrl } from '../../net/mask-url.ts';
import { SecretDecryptError } from '../../secrets/secret-box.ts';
import type { ChannelDriver, ChannelSecrets, DeliveryResult } from '../channel-driver.ts';
import { buildBatch } from './protocol/build-batch.ts';
import { judgeAttempt, judgeLocalFailure } from './protocol/judge-attempt.ts';
import { prepareRequest } from './protocol/prepare-request.ts';
import { requestTimeout } from './protocol/request-timeout.ts';
import { serializeBatch } from './protocol/serialize-batch.ts';
import { checkWebhookConfig } from './channel-config.ts';
import { signatureHeader, signBody } from './protocol/sign-body.ts';
import { generateV2Key } from './protocol/sign-v2.ts';
import { webhookConfigSchema } from './webhook-config-schema.ts';

/**
 * The custom channel of SPEC §3.2: serialize the batch once, sign those bytes (token and/or
 * signature v2), gzip when compression is on, POST through the guarded client, and judge the
 * answer per message.
 */
export const webhookDriver: ChannelDriver<'webhook'> = {
  kind: 'webhook',
  configSchema: webhookConfigSchema,
  checkConfig: checkWebhookConfig,
  wantsSigningKey: (config) => config.signatureV2,
  newSigningKey: generateV2Key,
  // The token keys `X-TE-OPS-Signature` over the empty body of the GET.
  enumOptionsHeaders: (token): Record<string, string> =>
    token === undefined ? {} : { [signatureHeader]: signBody(Buffer.alloc(0), token) },
  async deliver(batch, ctx): Promise<DeliveryResult> {
    const { config } = ctx.channel;
    let secrets: ChannelSecrets;
    try {
      secrets = ctx.secrets();
    } catch (error) {
      if (!(error instanceof SecretDecryptError)) throw error;
      // SEC-05: a tampered secret fails visibly; nothing is signed with garbage or sent.
      return {
        verdict: judgeLocalFailure(
          'secret_unreadable',
          'a stored channel secret could not be decrypted',
          batch.length,
        ),
        timings: { totalMs: 0 },
      };
    }
    const json = serializeBatch(buildBatch(batch, { timeZone: ctx.timeZone }));
    const prepared = prepareRequest({
      json,
      compression: config.compression,
      ...(config.auth === 'token' && secrets.token !== undefined ? { token: secrets.token } : {}),
      ...(secrets.v2Keys.length > 0
        ? { v2: { keys: secrets.v2Keys, timestampS: Math.floor(ctx.nowMs / 1000) } }
        : {}),
    });
    const timeout = requestTimeout(config.timeoutS);
    const timeoutMs = Math.min(timeout.timeoutMs, ctx.maxTimeoutMs ?? Number.POSITIVE_INFINITY);
    await ctx.beforeRequest?.();
    const result = await ctx.client.request({
      method: 'POST',
      url: config.url,
      headers: prepared.headers,
      body: prepared.body,
      timeoutMs,
      awaitResponse: timeout.awaitResponse,
    });
    const verdict = judgeAttempt(result, {
      messageCount: batch.length,
      strict: config.strictResponse,
      retryFailedItems: config.retryFailedItems,
      timeoutS: config.timeoutS,
      nowMs: ctx.nowMs,
    });
    return {
      verdict,
      request: {
        method: 'POST',
        url: maskUrl(config.url),
        headers: prepared.headers,
        body: json.toString('utf8'),
        bodyBytes: prepared.body.length,
      },
      ...(result.kind === 'response'
        ? {
            response: {
              status: result.status,
              headers: result.headers,
              body: result.body.toString('utf8'),
            },
          }
        : {}),
      timings: result.timings,
    };
  },
};
