import type { DataSource, PlatformName } from './model.ts';

export interface IntegrationPrompt {
  readonly platform: PlatformName;
  readonly title: string;
  readonly language: string;
  readonly code: string;
}

/**
 * The three browser SDKs Touchpoint speaks, as modules for the site's bundler (npm packages, no
 * vendor CDN): each is pointed at this server for its settings as well as its events. The browser
 * tests bundle the Segment and RudderStack snippets exactly as shown here (test/e2e/web-sources).
 */
export function webPrompts(key: string, url: string): IntegrationPrompt[] {
  const host = url.replace(/^https?:\/\//, '');
  const protocol = url.startsWith('https') ? 'https' : 'http';
  return [
    {
      platform: 'web',
      title: 'Web (Segment analytics.js)',
      language: 'javascript',
      code: `// npm install @segment/analytics-next
import { AnalyticsBrowser } from '@segment/analytics-next';

// Settings (cdnURL) and events (apiHost) both come from Touchpoint: nothing loads from Segment.
const analytics = AnalyticsBrowser.load(
  { writeKey: '${key}', cdnURL: '${url}' },
  { integrations: { 'Segment.io': { apiHost: '${host}/v1', protocol: '${protocol}' } } },
);
analytics.page();`,
    },
    {
      platform: 'web',
      title: 'Web (RudderStack JavaScript SDK)',
      language: 'javascript',
      code: `// npm install @rudderstack/analytics-js
import { RudderAnalytics } from '@rudderstack/analytics-js/bundled';

// The bundled build carries its plugins; configUrl asks Touchpoint for the source config, and no
// device-mode integration or polyfill is fetched: nothing loads from RudderStack's CDN.
const rudderanalytics = new RudderAnalytics();
rudderanalytics.load('${key}', '${url}', {
  configUrl: '${url}',
  loadIntegration: false,
  polyfillIfRequired: false,
});
rudderanalytics.page();`,
    },
    {
      platform: 'web',
      title: 'Web (ThinkingData web SDK)',
      language: 'javascript',
      code: `// npm install thinkingdata-browser
import thinkingdata from 'thinkingdata-browser';

// The SDK keeps only serverUrl's origin and sends to /sync_js there (debug mode: /data_debug),
// so Touchpoint must be served at the root of its host. "ajax" lets the SDK read the answers.
thinkingdata.init({ appId: '${key}', serverUrl: '${url}', send_method: 'ajax' });
thinkingdata.track('page_opened');`,
    },
  ];
}

/**
 * Ready-to-paste SDK set-up per platform, filled with the source's key and this server's URL
 * (SPEC §2). Server-side snippets use the Segment and ThinkingData SDKs Touchpoint speaks.
 */
export function integrationPrompts(source: DataSource, serverUrl: string): IntegrationPrompt[] {
  const key = source.appKey;
  const url = serverUrl.replace(/\/+$/, '');
  const prompts: IntegrationPrompt[] = [];
  for (const { platform, requireSecret } of source.platforms) {
    switch (platform) {
      case 'web':
        prompts.push(...webPrompts(key, url));
        break;
      case 'android':
        prompts.push({
          platform,
          title: 'Android (Segment analytics-kotlin)',
          language: 'kotlin',
          code: `val analytics = Analytics("${key}", applicationContext) {
    apiHost = "${url.replace(/^https?:\/\//, '')}/v1"
    cdnHost = "${url.replace(/^https?:\/\//, '')}/v1"
}
analytics.track("app_opened")`,
        });
        break;
      case 'ios':
        prompts.push({
          platform,
          title: 'iOS (Segment analytics-swift)',
          language: 'swift',
          code: `let configuration = Configuration(writeKey: "${key}")
    .apiHost("${url.replace(/^https?:\/\//, '')}/v1")
    .cdnHost("${url.replace(/^https?:\/\//, '')}/v1")
let analytics = Analytics(configuration: configuration)
analytics.track(name: "app_opened")`,
        });
        break;
      case 'harmony':
      case 'wechat_mp':
      case 'alipay_mp':
        prompts.push({
          platform,
          title: `${platform === 'harmony' ? 'HarmonyOS' : platform === 'wechat_mp' ? 'WeChat mini program' : 'Alipay mini program'} (ThinkingData SDK)`,
          language: 'javascript',
          code: `const ta = new ThinkingAnalyticsAPI({ appId: '${key}', serverUrl: '${url}' });
ta.init();
ta.track('app_opened', { channel: '${platform}' });`,
        });
        break;
      case 'server':
        prompts.push({
          platform,
          title: 'Server (Node.js, @segment/analytics-node)',
          language: 'javascript',
          code: `import { Analytics } from '@segment/analytics-node';
const analytics = new Analytics({ writeKey: '${requireSecret ? `${key}:<master secret>` : key}', host: '${url}' });
analytics.track({ userId: 'user-1', event: 'order_paid', properties: { amount: 99.5 } });
await analytics.closeAndFlush();`,
        });
        prompts.push({
          platform,
          title: 'Server (curl)',
          language: 'shell',
          code: `curl -X POST '${url}/v1/batch' -u '${key}:${requireSecret ? '<master secret>' : ''}' \\
  -H 'Content-Type: application/json' \\
  -d '{"batch":[{"type":"track","userId":"user-1","event":"order_paid","properties":{"amount":99.5},"messageId":"m-1"}]}'`,
        });
        break;
    }
  }
  return prompts;
}
