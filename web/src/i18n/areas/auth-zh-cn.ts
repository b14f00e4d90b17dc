import type { authEn } from './auth-en.ts';

// Simplified Chinese text of sign-in, password change and set-password pages. Typed against the
// area's English keys: a missing or extra key is a type error.

export const authZhCN: Record<keyof typeof authEn, string> = {
  'auth.pitchTitle': '数据接入，消息触达，回执回流。',
  'auth.pitchText': 'Touchpoint 把应用的数据源与触达用户的通道连接起来，并把每条消息追踪到点击与转化。',
  'auth.flowIn': '数据源',
  'auth.flowDecide': '受众',
  'auth.flowOut': '触达通道',
  'auth.flowBack': '回执',
  'auth.foot': '私有化部署 · 数据留在您自己的服务器上',
  'login.title': '登录',
  'login.lead': '使用 Touchpoint 管理员为您开通的账号。',
  'login.email': '邮箱',
  'login.password': '密码',
  'login.submit': '登录',
  'login.help': '忘记密码？请项目管理员为您生成新的设置密码链接。',
  'password.forcedTitle': '设置新密码',
  'password.forcedLead': '{email} 正在使用系统生成的密码登录。继续之前，请设置您自己的密码。',
  'password.forcedSubmit': '设置密码并继续',
  'password.changeTitle': '修改密码',
  'password.changeSubmit': '修改密码',
  'password.current': '当前密码',
  'password.new': '新密码',
  'password.confirm': '再次输入新密码',
  'password.rule': '至少 {min} 个字符。',
  'password.tooShort': '请至少输入 {min} 个字符。',
  'password.mismatch': '两次输入的密码不一致。',
  'password.changed': '密码已修改。',
  'setPassword.title': '设置密码',
  'setPassword.lead': '您已被添加到 Touchpoint。设置密码即可完成账号开通。',
  'setPassword.missingToken': '链接不完整。请打开收到的完整链接，或重新申请一个。',
  'setPassword.submit': '设置密码',
  'setPassword.doneTitle': '密码已设置',
  'setPassword.doneLead': '账号已就绪。请使用邮箱和新密码登录。',
  'setPassword.toLogin': '前往登录',
};
