// Every Admin API operation the console calls, as OpenAPI path templates. Plain data with no DOM
// use, so the server-side contract test can import it and check it against `/api/openapi.json`.

export interface Endpoint {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly path: string;
}

export const endpoints = {
  login: { method: 'POST', path: '/api/v1/auth/login' },
  session: { method: 'GET', path: '/api/v1/auth/session' },
  logout: { method: 'POST', path: '/api/v1/auth/logout' },
  changePassword: { method: 'POST', path: '/api/v1/auth/password' },
  setPassword: { method: 'POST', path: '/api/v1/auth/set-password' },
  listRoles: { method: 'GET', path: '/api/v1/roles' },
  listAccounts: { method: 'GET', path: '/api/v1/accounts' },
  createAccount: { method: 'POST', path: '/api/v1/accounts' },
  updateAccount: { method: 'PATCH', path: '/api/v1/accounts/{accountId}' },
  issueAccountPasswordLink: { method: 'POST', path: '/api/v1/accounts/{accountId}/password-link' },
  listInstanceProjects: { method: 'GET', path: '/api/v1/instance/projects' },
  listProjects: { method: 'GET', path: '/api/v1/projects' },
  createProject: { method: 'POST', path: '/api/v1/projects' },
  getProject: { method: 'GET', path: '/api/v1/projects/{projectId}' },
  updateProject: { method: 'PATCH', path: '/api/v1/projects/{projectId}' },
  listWorkspaces: { method: 'GET', path: '/api/v1/projects/{projectId}/workspaces' },
  createWorkspace: { method: 'POST', path: '/api/v1/projects/{projectId}/workspaces' },
  updateWorkspace: { method: 'PATCH', path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}' },
  listMembers: { method: 'GET', path: '/api/v1/projects/{projectId}/members' },
  addMember: { method: 'POST', path: '/api/v1/projects/{projectId}/members' },
  updateMember: { method: 'PATCH', path: '/api/v1/projects/{projectId}/members/{accountId}' },
  removeMember: { method: 'DELETE', path: '/api/v1/projects/{projectId}/members/{accountId}' },
  issuePasswordLink: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/members/{accountId}/password-link',
  },
  listInvitations: { method: 'GET', path: '/api/v1/projects/{projectId}/invitations' },
  revokeInvitation: { method: 'DELETE', path: '/api/v1/projects/{projectId}/invitations/{invitationId}' },
  getInvitation: { method: 'GET', path: '/api/v1/invitations/{token}' },
  acceptInvitation: { method: 'POST', path: '/api/v1/invitations/{token}/accept' },
  listTokens: { method: 'GET', path: '/api/v1/projects/{projectId}/tokens' },
  createToken: { method: 'POST', path: '/api/v1/projects/{projectId}/tokens' },
  revokeToken: { method: 'DELETE', path: '/api/v1/projects/{projectId}/tokens/{tokenId}' },
  listAudit: { method: 'GET', path: '/api/v1/projects/{projectId}/audit' },
  listApps: { method: 'GET', path: '/api/v1/projects/{projectId}/apps' },
  createApp: { method: 'POST', path: '/api/v1/projects/{projectId}/apps' },
  updateApp: { method: 'PATCH', path: '/api/v1/projects/{projectId}/apps/{appId}' },
  listSources: { method: 'GET', path: '/api/v1/projects/{projectId}/sources' },
  createSource: { method: 'POST', path: '/api/v1/projects/{projectId}/sources' },
  getSource: { method: 'GET', path: '/api/v1/projects/{projectId}/sources/{sourceId}' },
  updateSource: { method: 'PATCH', path: '/api/v1/projects/{projectId}/sources/{sourceId}' },
  disableSource: { method: 'POST', path: '/api/v1/projects/{projectId}/sources/{sourceId}/disable' },
  enableSource: { method: 'POST', path: '/api/v1/projects/{projectId}/sources/{sourceId}/enable' },
  deleteSource: { method: 'DELETE', path: '/api/v1/projects/{projectId}/sources/{sourceId}' },
  revealSourceSecret: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/sources/{sourceId}/reveal-secret',
  },
  rotateSourceSecret: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/sources/{sourceId}/rotate-secret',
  },
  listChannels: { method: 'GET', path: '/api/v1/projects/{projectId}/channels' },
  createChannel: { method: 'POST', path: '/api/v1/projects/{projectId}/channels' },
  getChannel: { method: 'GET', path: '/api/v1/projects/{projectId}/channels/{channelId}' },
  updateChannel: { method: 'PATCH', path: '/api/v1/projects/{projectId}/channels/{channelId}' },
  deleteChannel: { method: 'DELETE', path: '/api/v1/projects/{projectId}/channels/{channelId}' },
  disableChannel: { method: 'POST', path: '/api/v1/projects/{projectId}/channels/{channelId}/disable' },
  enableChannel: { method: 'POST', path: '/api/v1/projects/{projectId}/channels/{channelId}/enable' },
  rotateChannelKey: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/rotate-signing-key',
  },
  updateChannelCredentials: {
    method: 'PUT',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/credentials',
  },
  authorizeChannel: {
    method: 'PUT',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/workspaces/{workspaceId}',
  },
  deauthorizeChannel: {
    method: 'DELETE',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/workspaces/{workspaceId}',
  },
  listChannelGrants: { method: 'GET', path: '/api/v1/projects/{projectId}/channels/{channelId}/grants' },
  grantChannel: {
    method: 'PUT',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/grants/{accountId}',
  },
  revokeChannelGrant: {
    method: 'DELETE',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/grants/{accountId}',
  },
  channelFieldOptions: {
    method: 'GET',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/fields/{fieldKey}/options',
  },
  previewEnumOptions: { method: 'POST', path: '/api/v1/projects/{projectId}/channel-enum-options/preview' },
  testSendChannel: { method: 'POST', path: '/api/v1/projects/{projectId}/channels/{channelId}/test-send' },
  testSendWorkspaceChannel: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/channels/{channelId}/test-send',
  },
  getIdTypes: { method: 'GET', path: '/api/v1/projects/{projectId}/id-types' },
  updateIdTypes: { method: 'PUT', path: '/api/v1/projects/{projectId}/id-types' },
  listProfiles: { method: 'GET', path: '/api/v1/projects/{projectId}/profiles' },
  getProfile: { method: 'GET', path: '/api/v1/projects/{projectId}/profiles/{tpUid}' },
  listProfileEvents: { method: 'GET', path: '/api/v1/projects/{projectId}/profiles/{tpUid}/events' },
  eraseProfile: { method: 'DELETE', path: '/api/v1/projects/{projectId}/profiles/{tpUid}' },
  eraseProfiles: { method: 'POST', path: '/api/v1/projects/{projectId}/profiles/erase' },
  getProfileLag: { method: 'GET', path: '/api/v1/projects/{projectId}/profile-lag' },
  listEvents: { method: 'GET', path: '/api/v1/projects/{projectId}/events' },
  audienceCatalog: {
    method: 'GET',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/catalog',
  },
  estimateAudience: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/estimate',
  },
  previewAudience: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/preview',
  },
  listAudiences: { method: 'GET', path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences' },
  createAudience: { method: 'POST', path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences' },
  getAudience: {
    method: 'GET',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/{audienceId}',
  },
  updateAudience: {
    method: 'PATCH',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/{audienceId}',
  },
  deleteAudience: {
    method: 'DELETE',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/{audienceId}',
  },
  listCampaigns: { method: 'GET', path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns' },
  createCampaign: { method: 'POST', path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns' },
  previewCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/preview',
  },
  getCampaign: {
    method: 'GET',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}',
  },
  updateCampaign: {
    method: 'PATCH',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}',
  },
  deleteCampaign: {
    method: 'DELETE',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}',
  },
  submitCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/submit',
  },
  approveCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/approve',
  },
  rejectCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/reject',
  },
  publishCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/publish',
  },
  pauseCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/pause',
  },
  resumeCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/resume',
  },
  stopCampaign: {
    method: 'POST',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/stop',
  },
  listCampaignRuns: {
    method: 'GET',
    path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}/runs',
  },
  getDeliveryRules: { method: 'GET', path: '/api/v1/projects/{projectId}/delivery-rules' },
  setDeliveryRules: { method: 'PUT', path: '/api/v1/projects/{projectId}/delivery-rules' },
  listSuppressions: { method: 'GET', path: '/api/v1/projects/{projectId}/suppressions' },
  addSuppression: { method: 'POST', path: '/api/v1/projects/{projectId}/suppressions' },
  removeSuppression: {
    method: 'DELETE',
    path: '/api/v1/projects/{projectId}/suppressions/{suppressionId}',
  },
  listUnsubscribes: { method: 'GET', path: '/api/v1/projects/{projectId}/channels/{channelId}/unsubscribes' },
  addUnsubscribe: { method: 'POST', path: '/api/v1/projects/{projectId}/channels/{channelId}/unsubscribes' },
  removeUnsubscribe: {
    method: 'DELETE',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/unsubscribes/{unsubscribeId}',
  },
  declareEvent: { method: 'POST', path: '/api/v1/projects/{projectId}/events' },
  createSend: { method: 'POST', path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/sends' },
  getSend: { method: 'GET', path: '/api/v1/projects/{projectId}/workspaces/{workspaceId}/sends/{sendId}' },
  listMessages: { method: 'GET', path: '/api/v1/projects/{projectId}/messages' },
  messageCounts: { method: 'GET', path: '/api/v1/projects/{projectId}/messages-counts' },
  getMessage: { method: 'GET', path: '/api/v1/projects/{projectId}/messages/{opsRequestId}' },
  messageBatch: {
    method: 'GET',
    path: '/api/v1/projects/{projectId}/messages/{opsRequestId}/batches/{batchId}',
  },
  replayMessages: { method: 'POST', path: '/api/v1/projects/{projectId}/messages/replay' },
  channelHealth: { method: 'GET', path: '/api/v1/projects/{projectId}/channels/{channelId}/health' },
  channelDeliveryStats: {
    method: 'GET',
    path: '/api/v1/projects/{projectId}/channels/{channelId}/delivery-stats',
  },
  resumeChannel: { method: 'POST', path: '/api/v1/projects/{projectId}/channels/{channelId}/resume' },
  recentVerify: { method: 'GET', path: '/api/v1/projects/{projectId}/sources/{sourceId}/verify' },
  /** Server-Sent Events, opened with EventSource (see verifyStreamUrl), never with fetch. */
  verifyStream: { method: 'GET', path: '/api/v1/projects/{projectId}/sources/{sourceId}/verify/stream' },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;
