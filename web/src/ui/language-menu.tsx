import { locales, useI18n, type Locale } from '../i18n/i18n.tsx';
import { IconGlobe } from './icons.tsx';
import { MenuHeading, MenuItem } from './menu.tsx';

// The language choice, shared by the signed-in user menu and the signed-out pages' top bar; its
// own module so the signed-out frame does not import the signed-in shell.

export const localeNames: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

export function LanguageMenuItems({ close }: { close: () => void }) {
  const { locale, setLocale, t } = useI18n();
  return (
    <>
      <MenuHeading>{t('user.language')}</MenuHeading>
      {locales.map((l) => (
        <MenuItem
          key={l}
          checked={l === locale}
          icon={<IconGlobe />}
          onSelect={() => {
            setLocale(l);
            close();
          }}
        >
          {localeNames[l]}
        </MenuItem>
      ))}
    </>
  );
}
