import type { ProjectAccess } from '../access/caller.ts';
import { TouchpointError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { buildSeries, rangeWindow, type StatsRange, type StatsSeries } from './delivery-stats.ts';

/**
 * A channel's delivery charts (issue 17): messages/s by outcome, error rate and p50/p99 latency
 * over the last hour or day, read from the per-minute aggregate the dispatcher keeps (at most
 * 1,440 small rows per view). Any member who can see the channel sees its charts, like its
 * health (decision 78).
 */
export class DeliveryStatsService {
  readonly #store: Store;
  readonly #now: () => number;

  constructor(deps: { store: Store; now?: () => number }) {
    this.#store = deps.store;
    this.#now = deps.now ?? Date.now;
  }

  async series(access: ProjectAccess, channelId: string, range: StatsRange): Promise<StatsSeries> {
    if (!(await this.#store.channels.get(access.scope, channelId)))
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
    const now = this.#now();
    const { from, to } = rangeWindow(range, now);
    const minutes = await this.#store.deliveryStats.minutes(access.scope, channelId, from, to);
    return buildSeries(range, now, minutes);
  }
}
