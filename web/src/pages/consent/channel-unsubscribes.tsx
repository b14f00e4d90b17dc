import './consent.css';
import { useState } from 'react';
import type { Channel } from '../../api/types.ts';
import { ConsentList, noFilter, type ConsentFilter } from './consent-list.tsx';

/** A channel's details page, section Unsubscribes: who gets nothing on this channel. */
export function ChannelUnsubscribes({ channel }: { channel: Pick<Channel, 'id' | 'name'> }) {
  const [filter, setFilter] = useState<ConsentFilter>(noFilter);
  return (
    <ConsentList
      key={channel.id}
      of={{ channel: { id: channel.id, name: channel.name } }}
      filter={filter}
      onFilter={setFilter}
    />
  );
}
