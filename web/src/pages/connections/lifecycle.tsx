import { useState, type ReactNode } from 'react';
import type { Page, PageQuery, Permission } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useProject } from '../../project-context.tsx';
import { navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Badge } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconArrowRight, IconEdit, IconMore, IconPause, IconPlay, IconTrash } from '../../ui/icons.tsx';
import { Menu, MenuItem, MenuSeparator } from '../../ui/menu.tsx';
import { useToast } from '../../ui/toast.tsx';

// What data sources and reach channels share: the lifecycle (disable, enable, delete) with
// confirmations that say exactly what stops, and the three places it is offered (a card's More
// menu, a list row, a details page's header). Each area describes itself once in a
// `ConnectionSpec`; its words come from the same keys under `sources.*` and `channels.*`.

/** The two kinds of connection, also the segment of their paths and the prefix of their text. */
export type ConnectionArea = 'sources' | 'channels';

/** What the lifecycle needs to know of a data source or a reach channel. */
export interface Connection {
  readonly id: string;
  readonly name: string;
  readonly status: 'enabled' | 'disabled';
}

export const connectionsPath = (projectId: number, area: ConnectionArea) =>
  `/projects/${projectId}/connections/${area}`;
export const connectionPath = (projectId: number, area: ConnectionArea, id: string) =>
  `${connectionsPath(projectId, area)}/${encodeURIComponent(id)}`;

/** The area-level text of the overview section, the list and the breadcrumb. */
export const connectionText = {
  sources: {
    tab: 'connections.tabSources',
    subtitle: 'connections.sourcesSubtitle',
    all: 'connections.allSources',
    create: 'connections.createSource',
    failed: 'connections.sourcesFailed',
    cards: 'connections.sourceCards',
    emptyTitle: 'connections.sourcesEmptyTitle',
    emptyText: 'connections.sourcesEmptyText',
  },
  channels: {
    tab: 'connections.tabChannels',
    subtitle: 'connections.channelsSubtitle',
    all: 'connections.allChannels',
    create: 'connections.createChannel',
    failed: 'connections.channelsFailed',
    cards: 'connections.channelCards',
    emptyTitle: 'connections.channelsEmptyTitle',
    emptyText: 'connections.channelsEmptyText',
  },
} as const satisfies Record<ConnectionArea, Record<string, MessageKey>>;

type Ask = 'disable' | 'delete';
export type LifecycleAction = Ask | 'enable';

export interface ConnectionSpec<T extends Connection> {
  readonly area: ConnectionArea;
  /** One page of the project's items, for the overview (which reads them all). */
  readonly list: (projectId: number, query: PageQuery) => Promise<Page<T>>;
  /** Loads one item for its details page. */
  readonly get: (projectId: number, id: string) => Promise<T>;
  /** Who may disable, enable and delete. */
  readonly permission: Permission;
  /** Each answers the item after the change (the item itself where the API answers nothing). */
  readonly enable: (projectId: number, item: T) => Promise<T>;
  readonly disable: (projectId: number, item: T) => Promise<T>;
  readonly remove: (projectId: number, item: T) => Promise<void>;
  /** Values for the confirmations' placeholders (e.g. the key that stops working). */
  readonly values?: (item: T) => Record<string, string>;
  /** Set where only a disabled item may be deleted: why Delete is refused, long and short. */
  readonly deleteNeedsDisable?: { readonly long: MessageKey; readonly short: MessageKey };
  /** Turns a refused disable or delete into what the confirmation says. */
  readonly explain?: (error: unknown, t: Translate) => Error;
}

export interface Lifecycle<T extends Connection> {
  readonly spec: ConnectionSpec<T>;
  /** The caller holds the spec's permission. */
  readonly manage: boolean;
  /** Opens the confirmation of `action` for `item`. */
  ask(action: Ask, item: T): void;
  /** Enables at once: it only restarts what disable stopped. */
  enable(item: T): Promise<void>;
  /** Why Delete is refused for `item` now, or null. */
  deleteBlocked(item: T): { readonly long: MessageKey; readonly short: MessageKey } | null;
  /** The confirmations; render them once on the page. */
  readonly dialogs: ReactNode;
}

/**
 * Disable, enable and delete for one kind of connection. Disable and delete ask first and list
 * what stops; `onChanged` gets the action done and the item after it.
 */
export function useLifecycle<T extends Connection>(
  spec: ConnectionSpec<T>,
  onChanged: (action: LifecycleAction, item: T) => void,
): Lifecycle<T> {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const [pending, setPending] = useState<{ action: Ask; item: T } | null>(null);
  const { area } = spec;
  const name = pending?.item.name ?? '';
  const values = pending && spec.values ? spec.values(pending.item) : {};
  const run = async (action: Ask, change: (item: T) => Promise<T>) => {
    if (!pending) return;
    let after: T;
    try {
      after = await change(pending.item);
    } catch (error) {
      throw spec.explain ? spec.explain(error, t) : error;
    }
    toast.success(
      t(action === 'disable' ? `${area}.disabled` : `${area}.deleted`, { name: pending.item.name }),
    );
    onChanged(action, after);
  };
  const confirmation = (action: Ask) => (
    <ConfirmDialog
      open={pending?.action === action}
      onClose={() => setPending(null)}
      title={t(action === 'disable' ? `${area}.disableTitle` : `${area}.deleteTitle`, { name })}
      message={t(action === 'disable' ? `${area}.disableMessage` : `${area}.deleteMessage`)}
      consequences={([1, 2, 3] as const).map((n) =>
        t(action === 'disable' ? `${area}.disableStops${n}` : `${area}.deleteStops${n}`, values),
      )}
      confirmLabel={t(action === 'disable' ? `${area}.disableConfirm` : `${area}.deleteConfirm`)}
      onConfirm={() =>
        action === 'disable'
          ? run('disable', (item) => spec.disable(projectId, item))
          : run('delete', async (item) => {
              await spec.remove(projectId, item);
              return item;
            })
      }
    />
  );
  return {
    spec,
    manage: can(spec.permission),
    ask: (action, item) => setPending({ action, item }),
    enable: async (item) => {
      try {
        const after = await spec.enable(projectId, item);
        toast.success(t(`${area}.enabled`, { name: item.name }));
        onChanged('enable', after);
      } catch (error) {
        toast.error(describeError(error, t));
      }
    },
    deleteBlocked: (item) =>
      spec.deleteNeedsDisable && item.status === 'enabled' ? spec.deleteNeedsDisable : null,
    dialogs: (
      <>
        {confirmation('disable')}
        {confirmation('delete')}
      </>
    ),
  };
}

/**
 * Disable or enable, then delete, as buttons: `row` for a list row (small, named after the item),
 * `header` for a details page.
 */
export function LifecycleButtons<T extends Connection>({
  lifecycle,
  item,
  variant,
}: {
  lifecycle: Lifecycle<T>;
  item: T;
  variant: 'row' | 'header';
}) {
  const { t } = useI18n();
  const { area } = lifecycle.spec;
  if (!lifecycle.manage) return null;
  const row = variant === 'row';
  const blocked = lifecycle.deleteBlocked(item);
  const named = (key: MessageKey) => (row ? t(key, { name: item.name }) : undefined);
  return (
    <>
      {item.status === 'enabled' ? (
        <Button
          variant={row ? 'ghost' : undefined}
          size={row ? 'sm' : undefined}
          icon={<IconPause />}
          onClick={() => lifecycle.ask('disable', item)}
          aria-label={named(`${area}.disableOf`)}
        >
          {t(`${area}.disable`)}
        </Button>
      ) : (
        <Button
          variant={row ? 'ghost' : undefined}
          size={row ? 'sm' : undefined}
          icon={<IconPlay />}
          onClick={() => void lifecycle.enable(item)}
          aria-label={named(`${area}.enableOf`)}
        >
          {t(`${area}.enable`)}
        </Button>
      )}
      <Button
        variant="ghost-danger"
        size={row ? 'sm' : undefined}
        iconOnly={row}
        icon={<IconTrash />}
        disabled={blocked !== null}
        onClick={() => lifecycle.ask('delete', item)}
        aria-label={named(`${area}.deleteOf`)}
        title={blocked ? t(blocked.long) : named(`${area}.deleteOf`)}
      >
        {row ? undefined : t(`${area}.delete`)}
      </Button>
    </>
  );
}

/** A card's More menu: details, then (with the permission) edit, disable or enable, delete. */
export function LifecycleMenu<T extends Connection>({
  lifecycle,
  item,
  details,
  editable = false,
}: {
  lifecycle: Lifecycle<T>;
  item: T;
  /** The item's details page. */
  details: string;
  /** Offer Edit, which opens `${details}/edit`. */
  editable?: boolean;
}) {
  const { t } = useI18n();
  const { area } = lifecycle.spec;
  const blocked = lifecycle.deleteBlocked(item);
  return (
    <Menu
      label={t(`${area}.moreOf`, { name: item.name })}
      triggerClassName="card-more"
      trigger={
        <>
          <IconMore />
          {t(`${area}.more`)}
        </>
      }
    >
      {(close) => {
        const select = (action: () => void) => () => {
          close();
          action();
        };
        return (
          <>
            <MenuItem icon={<IconArrowRight />} onSelect={select(() => navigate(details))}>
              {t(`${area}.details`)}
            </MenuItem>
            {lifecycle.manage ? (
              <>
                {editable ? (
                  <MenuItem icon={<IconEdit />} onSelect={select(() => navigate(`${details}/edit`))}>
                    {t('common.edit')}
                  </MenuItem>
                ) : null}
                {item.status === 'enabled' ? (
                  <MenuItem icon={<IconPause />} onSelect={select(() => lifecycle.ask('disable', item))}>
                    {t(`${area}.disable`)}
                  </MenuItem>
                ) : (
                  <MenuItem icon={<IconPlay />} onSelect={select(() => void lifecycle.enable(item))}>
                    {t(`${area}.enable`)}
                  </MenuItem>
                )}
                <MenuSeparator />
                {blocked ? (
                  <button
                    type="button"
                    className="menu-item is-disabled"
                    role="menuitem"
                    aria-disabled="true"
                    tabIndex={-1}
                    title={t(blocked.long)}
                  >
                    <IconTrash />
                    <span>
                      {t(`${area}.delete`)}
                      <span className="menu-item-note">{t(blocked.short)}</span>
                    </span>
                  </button>
                ) : (
                  <MenuItem icon={<IconTrash />} onSelect={select(() => lifecycle.ask('delete', item))}>
                    {t(`${area}.delete`)}
                  </MenuItem>
                )}
              </>
            ) : null}
          </>
        );
      }}
    </Menu>
  );
}

/** Enabled (blue) or disabled (red), in the area's words. */
export function StatusBadge({ area, item }: { area: ConnectionArea; item: Pick<Connection, 'status'> }) {
  const { t } = useI18n();
  return (
    <Badge tone={item.status === 'enabled' ? 'blue' : 'red'} dot>
      {t(`${area}.status.${item.status}`)}
    </Badge>
  );
}

/** After a delete on a page about that item, go back to its list. */
export function leaveDeleted(projectId: number, area: ConnectionArea): void {
  navigate(connectionsPath(projectId, area), { replace: true });
}
