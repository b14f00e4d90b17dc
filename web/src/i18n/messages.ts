import { commonEn } from './areas/common-en.ts';
import { authEn } from './areas/auth-en.ts';
import { shellEn } from './areas/shell-en.ts';
import { tenancyEn } from './areas/tenancy-en.ts';
import { sourcesEn } from './areas/sources-en.ts';
import { profilesEn } from './areas/profiles-en.ts';
import { channelsEn } from './areas/channels-en.ts';
import { deliveryEn } from './areas/delivery-en.ts';
import { sendEn } from './areas/send-en.ts';
import { chartsEn } from './areas/charts-en.ts';
import { instanceEn } from './areas/instance-en.ts';
import { audiencesEn } from './areas/audiences-en.ts';
import { campaignsEn } from './areas/campaigns-en.ts';
import { consentEn } from './areas/consent-en.ts';
import { commonZhCN } from './areas/common-zh-cn.ts';
import { authZhCN } from './areas/auth-zh-cn.ts';
import { shellZhCN } from './areas/shell-zh-cn.ts';
import { tenancyZhCN } from './areas/tenancy-zh-cn.ts';
import { sourcesZhCN } from './areas/sources-zh-cn.ts';
import { profilesZhCN } from './areas/profiles-zh-cn.ts';
import { channelsZhCN } from './areas/channels-zh-cn.ts';
import { deliveryZhCN } from './areas/delivery-zh-cn.ts';
import { sendZhCN } from './areas/send-zh-cn.ts';
import { chartsZhCN } from './areas/charts-zh-cn.ts';
import { instanceZhCN } from './areas/instance-zh-cn.ts';
import { audiencesZhCN } from './areas/audiences-zh-cn.ts';
import { campaignsZhCN } from './areas/campaigns-zh-cn.ts';
import { consentZhCN } from './areas/consent-zh-cn.ts';

// Every string the console shows comes from the area files in ./areas (English and its zh-CN
// twin per area), merged here into the two dictionaries. Each zh-CN file is typed against its
// English one, and the merged zh-CN dictionary against every key, so a missing key is a type
// error. `{name}` placeholders are filled by t(key, values).

export const en = {
  ...commonEn,
  ...authEn,
  ...shellEn,
  ...tenancyEn,
  ...sourcesEn,
  ...profilesEn,
  ...channelsEn,
  ...deliveryEn,
  ...sendEn,
  ...chartsEn,
  ...instanceEn,
  ...audiencesEn,
  ...campaignsEn,
  ...consentEn,
} as const;

export type MessageKey = keyof typeof en;

export const zhCN: Record<MessageKey, string> = {
  ...commonZhCN,
  ...authZhCN,
  ...shellZhCN,
  ...tenancyZhCN,
  ...sourcesZhCN,
  ...profilesZhCN,
  ...channelsZhCN,
  ...deliveryZhCN,
  ...sendZhCN,
  ...chartsZhCN,
  ...instanceZhCN,
  ...audiencesZhCN,
  ...campaignsZhCN,
  ...consentZhCN,
};
