import type { ChannelDriver } from './channel-driver.ts';
import type { ChannelKind } from './model.ts';
import { webhookDriver } from './webhook/webhook-driver.ts';

/** Every channel kind's driver, in one typed map: a new kind is a new entry here. */
export const channelDrivers: { readonly [K in ChannelKind]: ChannelDriver<K> } = {
  webhook: webhookDriver,
};
