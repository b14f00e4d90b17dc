import type { DataSource, PlatformName } from './model.ts';

export interface IntegrationPrompt {
  readonly platform: PlatformName;
  readonly title: string;
  readonly language: string;
  readonly code: string;
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
        prompts.push({
          platform,
          title: 'Web (Segment analytics.js)',
          language: 'html',
          code: `<script type="module">
  import { AnalyticsBrowser } from 'https://esm.sh/@segment/analytics-next';
  const analytics = AnalyticsBrowser.load({ writeKey: '${key}', cdnURL: '${url}' }, {
    integrations: { 'Segment.io': { apiHost: '${url.replace(/^https?:\/\//, '')}/v1', protocol: '${url.startsWith('https') ? 'https' : 'http'}' } },
  });
  analytics.track('page_opened');
</script>`,
        });
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
