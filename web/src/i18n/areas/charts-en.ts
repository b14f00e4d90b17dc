// English text of the channel delivery charts (issue 17 item 4) on a channel's details page.
// Outcome names are what an attempt meant for a message (delivered, retry, failed, dead …).

export const chartsEn = {
  'charts.title': 'Delivery charts',
  'charts.subtitle':
    'Messages per second by outcome, failed requests and latency, from the counts the workers keep per minute.',
  'charts.range': 'Time range',
  'charts.range.1h': 'Last hour',
  'charts.range.24h': 'Last 24 hours',
  'charts.refresh': 'Refresh',
  'charts.loadFailed': 'The charts could not be loaded: {error}',
  'charts.emptyTitle': 'No deliveries in this period',
  'charts.emptyText.1h':
    'Nothing was sent on this channel in the last hour. Charts appear once the workers send to it.',
  'charts.emptyText.24h':
    'Nothing was sent on this channel in the last 24 hours. Charts appear once the workers send to it.',
  'charts.totalMessages': 'Messages',
  'charts.totalRequests': 'Requests',
  'charts.errorRate': 'Error rate',
  'charts.p50': 'p50 latency',
  'charts.p99': 'p99 latency',
  'charts.messagesTitle': 'Messages per second by outcome',
  'charts.messagesHint.1h': 'Each bar is one minute.',
  'charts.messagesHint.24h': 'Each bar is 15 minutes.',
  'charts.errorTitle': 'Error rate',
  'charts.errorHint': 'Requests that failed as a whole, of all requests.',
  'charts.latencyTitle': 'Latency',
  'charts.latencyHint': 'Request round trip in milliseconds, p50 and p99.',
  'charts.outcome.delivered': 'delivered',
  'charts.outcome.sent': 'sent',
  'charts.outcome.retry': 'retry',
  'charts.outcome.failed': 'failed',
  'charts.outcome.dead': 'dead',
  'charts.outcome.held': 'held',
  'charts.perSecond': '{value}/s',
  'charts.ms': '{value} ms',
  'charts.seconds': '{value} s',
  'charts.percent': '{value}%',
  'charts.noRequests': 'no requests',
  'charts.requestsAt': '{n} requests',
} as const;
