import type { shellEn } from './shell-en.ts';

// Simplified Chinese text of the signed-in frame: navigation, user menu, switchers, areas still to
// come. Typed against the area's English keys: a missing or extra key is a type error.

export const shellZhCN: Record<keyof typeof shellEn, string> = {
  'home.noProjectTitle': '暂无项目',
  'home.noProjectText': '您的账号还不是任何项目的成员。请联系项目管理员添加您。',
  'notFound.title': '页面不存在',
  'notFound.text': '地址可能有误，或页面已移动。请通过导航继续。',
  'nav.label': '主导航',
  'nav.sectionData': '运营',
  'nav.sectionAdmin': '管理',
  'nav.connections': '数据通道连接',
  'nav.campaigns': '运营活动',
  'nav.profiles': '用户档案',
  'nav.delivery': '消息投递',
  'nav.members': '成员',
  'nav.sectionInstance': '实例',
  'nav.accounts': '账号',
  'nav.allProjects': '全部项目',
  'nav.settings': '设置',
  'nav.selfHosted': '私有化部署',
  'switcher.project': '切换项目',
  'switcher.projectKicker': '项目',
  'switcher.chooseProject': '选择项目',
  'switcher.projects': '项目',
  'switcher.workspace': '切换空间',
  'switcher.workspaceKicker': '空间',
  'switcher.workspaces': '空间',
  'switcher.noWorkspace': '无空间',
  'user.menu': '账号菜单',
  'user.language': '语言',
  'user.changePassword': '修改密码',
  'user.logout': '退出登录',
  'delivery.title': '消息投递',
  'delivery.description': '通过触达通道发送的消息，以及每次尝试和状态。',
  'delivery.emptyTitle': '控制台暂未提供',
  'delivery.emptyText':
    '跟踪已发送消息的页面尚未完成。管理 API 可列出消息并重放失败的消息（GET /api/v1/projects/…/messages）。',
};
