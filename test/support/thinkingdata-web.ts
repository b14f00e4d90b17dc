// What ThinkingData's web SDK 2.5 (`thinkingdata-browser`, not installable from the registries
// these machines reach) sends, rebuilt from the captures described in sdk-captures/README.md
// ("Browser SDKs"): the same fields, encodings and envelopes, with this run's key and times.

/** `#time` as the SDK writes it: the browser's wall clock, here UTC (`#zone_offset` 0). */
export function tdTime(at = Date.now()): string {
  return new Date(at).toISOString().replace('T', ' ').replace('Z', '');
}

const deviceId = () =>
  `1a241d2fbdcf63-047c17957e1abf-11543b4c-921600-${Math.random().toString(16).slice(2, 16)}`;

/** The preset properties the SDK adds to every track event. */
function presets(device: string): Record<string, unknown> {
  return {
    '#device_id': device,
    '#zone_offset': 0,
    '#os': 'Linux',
    '#lib_version': '2.5.0',
    '#lib': 'js',
    '#screen_height': 720,
    '#screen_width': 1280,
    '#browser': 'applewebkit',
    '#browser_version': '537.36',
    '#system_language': 'en-US',
    '#utm': '{}',
  };
}

export interface TdWebUser {
  readonly device: string;
  readonly accountId: string;
}

export function tdWebUser(accountId: string): TdWebUser {
  return { device: deviceId(), accountId };
}

/** One event as the SDK builds it (no `#uuid`: the SDK sends none). */
export function tdWebEvent(
  user: TdWebUser,
  type: string,
  properties: Record<string, unknown>,
  eventName?: string,
): Record<string, unknown> {
  return {
    '#type': type,
    '#time': tdTime(),
    '#distinct_id': user.device,
    '#account_id': user.accountId,
    ...(eventName ? { '#event_name': eventName } : {}),
    properties: type === 'track' ? { ...presets(user.device), ...properties } : properties,
  };
}

/** `data=` of `/sync_js`: base64 of `{"data":[…],"#app_id":…,"#flush_time":…}`. */
export function syncJsData(appId: string, events: readonly unknown[]): string {
  const document = { data: events, '#app_id': appId, '#flush_time': Date.now() };
  return Buffer.from(JSON.stringify(document), 'utf8').toString('base64');
}

/** The ajax form body (and, after `?`, the image query string) of `/sync_js`. */
export function syncJsForm(appId: string, events: readonly unknown[]): string {
  return `&data=${encodeURIComponent(syncJsData(appId, events))}&ext=crc%3D1538885838&version=2.5.0`;
}

/** The debug-mode form body of `/data_debug` (app id in the body, no `ext`). */
export function dataDebugForm(appId: string, user: TdWebUser, event: unknown): string {
  return (
    `&data=${encodeURIComponent(JSON.stringify(event))}&source=client` +
    `&deviceId=${encodeURIComponent(user.device)}&appid=${encodeURIComponent(appId)}&version=2.5.0`
  );
}
