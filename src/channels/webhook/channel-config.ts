import type { Cidr } from '../../config/cidr.ts';
import type { Issues } from '../../issues.ts';
import {
  channelLimits,
  checkChannelUrl,
  checkCustomParams,
  checkReceiptFunnel,
  checkTemplate,
} from '../channel-checks.ts';
import { KEY_PATTERN, type WebhookConfig } from '../model.ts';
import { maxBatchSize } from './protocol/build-batch.ts';

/**
 * Every rule of SPEC §3.1 on a complete webhook configuration. Problems in the body are collected
 * and thrown together as `TP_ERR_VALIDATION` (one issue per path); a refused URL throws
 * `TP_ERR_TARGET_INVALID`, `TP_ERR_URL_SCHEME_INVALID` or `TP_ERR_CHANNEL_URL_CREDENTIALS`
 * with `details.field`.
 *
 * @example
 *   const config = checkWebhookConfig(input, { allowTargets: config.allowTargets }, issues);
 */
export function checkWebhookConfig(
  input: WebhookConfig,
  options: { allowTargets: readonly Cidr[] },
  issues: Issues,
): WebhookConfig {
  const url = checkChannelUrl(input.url, '/url', options.allowTargets);
  const sendIdType = input.sendIdType.trim();
  if (!KEY_PATTERN.test(sendIdType) || sendIdType.length > 64)
    issues.add('/send_id_type', 'pattern', 'must be an ID type name such as role_id');
  if (!Number.isInteger(input.batchSize) || input.batchSize < 1 || input.batchSize > maxBatchSize)
    issues.add('/batch_size', 'range', `must be 1 to ${maxBatchSize}`);
  if (
    !Number.isInteger(input.rateLimit) ||
    (input.rateLimit !== -1 && (input.rateLimit < 1 || input.rateLimit > channelLimits.rateLimitMax))
  )
    issues.add(
      '/rate_limit',
      'range',
      `must be -1 (no limit) or 1 to ${channelLimits.rateLimitMax} requests per second`,
    );
  if (!Number.isInteger(input.timeoutS) || input.timeoutS < -1 || input.timeoutS > channelLimits.timeoutMaxS)
    issues.add('/timeout_s', 'range', `must be -1, 0 or 1 to ${channelLimits.timeoutMaxS}`);
  return {
    ...input,
    url,
    sendIdType,
    template: checkTemplate(input.template, issues, options.allowTargets),
    customParams: checkCustomParams(input.customParams, issues),
    receiptFunnel: checkReceiptFunnel(input.receiptFunnel, issues),
  };
}
