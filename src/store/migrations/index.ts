import { migration0001 } from './0001-core.ts';
import { migration0002 } from './0002-tenancy.ts';
import { migration0003 } from './0003-sources.ts';
import { migration0004 } from './0004-events.ts';
import { migration0005 } from './0005-channels.ts';
import { migration0006 } from './0006-profiles.ts';
import { migration0007 } from './0007-partial-profile-index.ts';
import { migration0008 } from './0008-invitations.ts';
import { migration0009 } from './0009-delivery.ts';
import { migration0010 } from './0010-attempt-leases.ts';
import { migration0011 } from './0011-account-last-login.ts';
import { migration0012 } from './0012-delivery-stats.ts';
import { migration0013 } from './0013-profile-cursor.ts';
import { migration0014 } from './0014-delivery-rate.ts';
import { migration0015 } from './0015-audiences.ts';
import { migration0016 } from './0016-campaigns.ts';
import { migration0017 } from './0017-ingest-digests.ts';
import { migration0018 } from './0018-consent.ts';
import { migration0019 } from './0019-erasure.ts';
import { migration0020 } from './0020-event-triggers.ts';
import { migration0021 } from './0021-receipts.ts';
import type { Migration } from './migration.ts';

/** Every migration, in order. Append only. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
  migration0013,
  migration0014,
  migration0015,
  migration0016,
  migration0017,
  migration0018,
  migration0019,
  migration0020,
  migration0021,
];
