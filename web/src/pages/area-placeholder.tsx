import type { ComponentType, SVGProps } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { Card, EmptyState, PageHeader } from '../ui/display.tsx';
import { IconProfiles } from '../ui/icons.tsx';

const placeholders = {
  profiles: { icon: IconProfiles, key: 'profiles' },
} as const satisfies Record<string, { icon: ComponentType<SVGProps<SVGSVGElement>>; key: string }>;

export type PlaceholderArea = keyof typeof placeholders;

export function isPlaceholderArea(area: string): area is PlaceholderArea {
  return Object.hasOwn(placeholders, area);
}

/** An area whose pages come with a later issue: says what it will hold. */
export function AreaPlaceholderPage({ area }: { area: PlaceholderArea }) {
  const { t } = useI18n();
  const { icon: Icon, key } = placeholders[area];
  const k = (suffix: string) => `${key}.${suffix}` as MessageKey;
  return (
    <>
      <PageHeader title={t(k('title'))} description={t(k('description'))} />
      <Card flush>
        <EmptyState icon={<Icon />} title={t(k('emptyTitle'))} description={t(k('emptyText'))} />
      </Card>
    </>
  );
}
