export const appTypes = ['app', 'mini_program', 'web'] as const;
export type AppType = (typeof appTypes)[number];

export const platformNames = [
  'android',
  'ios',
  'harmony',
  'wechat_mp',
  'alipay_mp',
  'web',
  'server',
] as const;
export type PlatformName = (typeof platformNames)[number];

/** Which platforms a data source of each app type may report from. */
export const platformsByAppType: Readonly<Record<AppType, readonly PlatformName[]>> = {
  app: ['android', 'ios', 'harmony', 'server'],
  mini_program: ['wechat_mp', 'alipay_mp', 'server'],
  web: ['web', 'server'],
};

export interface PlatformConfig {
  readonly platform: PlatformName;
  /** `web` only: the page origins allowed to send, `http(s)://host[:port]`. */
  readonly origins?: readonly string[];
  /** `server` only: every request must carry the master secret. */
  readonly requireSecret?: boolean;
}

export interface App {
  readonly id: string;
  readonly projectId: number;
  readonly name: string;
  readonly appType: AppType;
  readonly createdAt: number;
}

export type SourceStatus = 'enabled' | 'disabled';
export type ReportingStatus = 'never_reported' | 'reporting' | 'stopped';

export interface DataSource {
  readonly id: string;
  readonly projectId: number;
  readonly appId: string;
  readonly name: string;
  readonly platforms: readonly PlatformConfig[];
  /** Null: the project's time zone applies. */
  readonly timeZone: string | null;
  readonly appKey: string;
  readonly scheme: string | null;
  readonly status: SourceStatus;
  /** Events per second; null = the instance default. */
  readonly rateLimit: number | null;
  readonly credentialsVersion: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt: number | null;
  /** Encrypted master secret (never leaves the sources module). */
  readonly masterSecretCiphertext: string;
  /** From the activity record: newest event time and events in the last 24 hours. */
  readonly lastEventAt: number | null;
  readonly events24h: number;
}

export const REPORTING_WINDOW_MS = 24 * 60 * 60 * 1000;

export function reportingStatus(lastEventAt: number | null, now: number): ReportingStatus {
  if (lastEventAt === null) return 'never_reported';
  return now - lastEventAt < REPORTING_WINDOW_MS ? 'reporting' : 'stopped';
}
