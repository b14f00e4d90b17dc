import { useEffect, useState } from 'react';
import { api, fetchAll } from '../../api/client.ts';
import type { Audience, Channel, Member } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Badge, type Tone } from '../../ui/display.tsx';
import type { Campaign, CampaignState, CampaignTrigger } from '../../api/types.ts';
import { describeCron, describeEventTrigger } from './campaign-schedule.ts';
import './campaigns.css';

// What the campaign pages share: paths, the state badge, a trigger in words, and the names of
// the workspace's audiences, channels and the project's members (ids → names).

export const campaignsPath = (projectId: number) => `/projects/${projectId}/campaigns`;
export const approvalsPath = (projectId: number) => `${campaignsPath(projectId)}/approvals`;
export const campaignPath = (projectId: number, campaignId: string) =>
  `${campaignsPath(projectId)}/${encodeURIComponent(campaignId)}`;
export const campaignEditPath = (projectId: number, campaignId: string) =>
  `${campaignPath(projectId, campaignId)}/edit`;

const stateTone: Record<CampaignState, Tone> = {
  draft: 'neutral',
  pending_approval: 'amber',
  pending_publish: 'blue',
  scheduled: 'blue',
  running: 'green',
  paused: 'amber',
  completed: 'green',
  stopped: 'red',
};

export function CampaignStateBadge({ state }: { state: CampaignState }) {
  const { t } = useI18n();
  return (
    <span data-campaign-state={state}>
      <Badge tone={stateTone[state]} dot>
        {t(`campaigns.state.${state}`)}
      </Badge>
    </span>
  );
}

/** The project's time zone (UTC until the project is loaded). */
export function useTimeZone(): string {
  const { project } = useProject();
  return project?.time_zone ?? 'UTC';
}

/** "Send now", "At 1 May 2026, 09:00 (Asia/Shanghai)", "Every Monday at 09:00 · until …". */
export function TriggerText({ trigger }: { trigger: CampaignTrigger }) {
  const { t, locale } = useI18n();
  const timeZone = useTimeZone();
  const at = (iso: string) =>
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
      new Date(iso),
    );
  if (trigger.type === 'now') return <>{t('campaigns.trigger.now')}</>;
  if (trigger.type === 'at')
    return <>{t('campaigns.trigger.atTime', { time: at(trigger.at), zone: timeZone })}</>;
  if (trigger.type === 'event') {
    // An unreadable typed time (the editor sends it as typed for the server to name) is left out.
    const valid = (iso: string | null | undefined) => (iso && !Number.isNaN(Date.parse(iso)) ? iso : null);
    const from = valid(trigger.start_at);
    const until = valid(trigger.end_at);
    return (
      <>
        <span data-testid="event-trigger-text">{describeEventTrigger(trigger, t)}</span>
        {from ? <> · {t('campaigns.trigger.from', { time: at(from) })}</> : null}
        {until ? <> · {t('campaigns.trigger.until', { time: at(until) })}</> : null}
        {from || until ? <span className="muted"> ({timeZone})</span> : null}
      </>
    );
  }
  const reading = describeCron(trigger.cron, locale) ?? trigger.cron;
  return (
    <>
      <span title={trigger.cron}>{reading}</span>
      {trigger.end_at ? <> · {t('campaigns.trigger.until', { time: at(trigger.end_at) })}</> : null}
      <span className="muted"> ({timeZone})</span>
    </>
  );
}

/** A campaign's own limits in words: its cap (or none) and what quiet hours do to it. */
export function LimitsText({
  cap,
  quietHours,
}: {
  cap: { readonly count: number | string; readonly period_hours: number | string } | null;
  quietHours: 'delay' | 'drop';
}) {
  const { t } = useI18n();
  return (
    <>
      {cap ? t('campaigns.capText', { count: cap.count, hours: cap.period_hours }) : t('campaigns.noCap')}
      {' · '}
      {t(`campaigns.quietText.${quietHours}`)}
    </>
  );
}

export interface CampaignNames {
  readonly audiences: readonly Audience[];
  readonly channels: readonly Channel[];
  readonly members: readonly Member[];
  audience(id: string | null): string;
  channel(id: string | null): string;
  /** A member's name, else e-mail, else the account id as sent. */
  member(accountId: string | null): string;
}

/** The workspace's audiences, the project's channels and members, loaded once per workspace. */
export function useCampaignNames(): CampaignNames {
  const { projectId, workspace } = useProject();
  const workspaceId = workspace?.id ?? '';
  const [audiences, setAudiences] = useState<readonly Audience[]>([]);
  const [channels, setChannels] = useState<readonly Channel[]>([]);
  const [members, setMembers] = useState<readonly Member[]>([]);
  useEffect(() => {
    if (!workspaceId) return;
    let current = true;
    fetchAll((q) => api.listAudiences({ projectId, workspaceId }, q)).then(
      (list) => current && setAudiences(list),
      () => undefined,
    );
    fetchAll((q) => api.listChannels({ projectId }, q)).then(
      (list) => current && setChannels(list),
      () => undefined,
    );
    fetchAll((q) => api.listMembers({ projectId }, q)).then(
      (list) => current && setMembers(list),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [projectId, workspaceId]);
  return {
    audiences,
    channels,
    members,
    audience: (id) => (id ? (audiences.find((a) => a.id === id)?.name ?? id) : '—'),
    channel: (id) => (id ? (channels.find((c) => c.id === id)?.name ?? id) : '—'),
    member: (accountId) => {
      if (!accountId) return '—';
      const m = members.find((x) => x.account_id === accountId);
      return m ? m.name || m.email : accountId;
    },
  };
}

/** Whether the signed-in account submitted this campaign (it may not approve it: SPEC §5). */
export const isOwnSubmission = (campaign: Campaign, accountId: string | undefined) =>
  campaign.submitted_by !== null && campaign.submitted_by === accountId;
