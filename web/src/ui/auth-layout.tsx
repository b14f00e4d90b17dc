import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { LanguageMenuItems, localeNames } from './language-menu.tsx';
import { IconChevronDown, IconGlobe } from './icons.tsx';
import { Menu } from './menu.tsx';

/** The frame of the signed-out pages: product pitch on the left, the form on the right. */
export function AuthLayout({ children }: { children: ReactNode }) {
  const { t, locale } = useI18n();
  return (
    <div className="auth">
      <aside className="auth-aside">
        <div className="brand-line">
          <img src="/favicon.svg" alt="" />
          Touchpoint
        </div>
        <div className="auth-pitch">
          <h2>{t('auth.pitchTitle')}</h2>
          <p>{t('auth.pitchText')}</p>
          <div className="auth-flow" aria-hidden="true">
            <span>{t('auth.flowIn')}</span>
            <span>{t('auth.flowDecide')}</span>
            <span>{t('auth.flowOut')}</span>
            <span>{t('auth.flowBack')}</span>
          </div>
        </div>
        <div className="auth-foot">{t('auth.foot')}</div>
      </aside>
      <main className="auth-main">
        <div className="auth-top">
          <Menu
            label={t('user.language')}
            testId="language-menu"
            trigger={
              <>
                <IconGlobe />
                <span className="menu-trigger-label">{localeNames[locale]}</span>
                <IconChevronDown />
              </>
            }
          >
            {(close) => <LanguageMenuItems close={close} />}
          </Menu>
        </div>
        <div className="auth-panel">{children}</div>
      </main>
    </div>
  );
}
