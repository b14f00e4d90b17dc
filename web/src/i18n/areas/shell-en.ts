// English text of the signed-in frame: navigation, user menu, switchers, areas still to come.

export const shellEn = {
  'home.noProjectTitle': 'No project yet',
  'home.noProjectText': 'Your account is not a member of any project. Ask a project admin to add you.',
  'notFound.title': 'Page not found',
  'notFound.text': 'The address may be mistyped, or the page moved. Use the navigation to continue.',
  'nav.label': 'Main',
  'nav.sectionData': 'Engage',
  'nav.sectionAdmin': 'Administration',
  'nav.connections': 'Data Channel Connection',
  'nav.campaigns': 'Campaigns',
  'nav.profiles': 'Profiles',
  'nav.delivery': 'Delivery',
  'nav.members': 'Members',
  'nav.settings': 'Settings',
  'nav.selfHosted': 'self-hosted',
  'switcher.project': 'Switch project',
  'switcher.projectKicker': 'Project',
  'switcher.projects': 'Projects',
  'switcher.workspace': 'Switch workspace',
  'switcher.workspaceKicker': 'Workspace',
  'switcher.workspaces': 'Workspaces',
  'switcher.noWorkspace': 'No workspace',
  'user.menu': 'Account menu',
  'user.language': 'Language',
  'user.changePassword': 'Change password',
  'user.logout': 'Sign out',
  'campaigns.title': 'Campaigns',
  'campaigns.description':
    'Audiences, one-off and recurring sends, behaviour-triggered journeys and their approval.',
  'campaigns.emptyTitle': 'No campaigns in this workspace',
  'campaigns.emptyText':
    'Campaigns pick an audience, a reach channel and its template values, then send now, on a schedule or when an event arrives.',
  'delivery.title': 'Delivery',
  'delivery.description':
    'Every message Touchpoint sends, its attempts and its state; replay failed and dead messages.',
  'delivery.emptyTitle': 'No messages sent yet',
  'delivery.emptyText':
    'Messages show up here with their state once a campaign or a test send uses a reach channel.',
} as const;
