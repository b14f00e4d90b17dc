import { useEffect, useState, type ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api } from '../../api/client.ts';
import type { Channel, DeliveryStats, DeliveryStatsRange } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Card, EmptyState, Loading } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconChart, IconRotate } from '../../ui/icons.tsx';
import './delivery-charts.css';

// A channel's delivery charts (issue 17 item 4, decision 78): messages/s by outcome, error rate and
// p50/p99 latency over the last hour or day, from GET …/channels/{id}/delivery-stats. Recharts is
// the console's one chart library (decision 80).

const outcomes = ['delivered', 'sent', 'retry', 'failed', 'dead', 'held'] as const;
type Outcome = (typeof outcomes)[number];

/** The console's palette (styles.css) as literal colours: SVG attributes do not read CSS variables. */
const outcomeColor: Record<Outcome, string> = {
  delivered: '#17864f',
  sent: '#2a9d8f',
  retry: '#d99a1e',
  failed: '#d0342c',
  dead: '#7a1f1a',
  held: '#8a6fd1',
};
const gridColor = '#e2e7ef';
const axisColor = '#6b778c';
const p50Color = '#3157e0';
const p99Color = '#b26a00';
const errorColor = '#d0342c';

const ranges: readonly DeliveryStatsRange[] = ['1h', '24h'];
const refreshMs = 30_000;

function useDeliveryStats(channelId: string, range: DeliveryStatsRange) {
  const { projectId } = useProject();
  const [stats, setStats] = useState<DeliveryStats | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    api.channelDeliveryStats({ projectId, channelId }, range).then(
      (s) => {
        if (!current) return;
        setStats(s);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    const timer = setInterval(() => setTick((n) => n + 1), refreshMs);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [projectId, channelId, range, tick]);
  return { stats, error, reload: () => setTick((n) => n + 1) };
}

const trim = (n: number, digits: number) => Number(n.toFixed(digits)).toString();

function ChartPanel({
  title,
  hint,
  testId,
  wide = false,
  children,
}: {
  title: string;
  hint: string;
  testId: string;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <figure className={`chart-panel${wide ? ' chart-panel-wide' : ''}`} data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>
        <span className="cell-sub">{hint}</span>
      </figcaption>
      <div className="chart-canvas">{children}</div>
    </figure>
  );
}

/** The delivery charts card of a channel's details page, with the range toggle and empty states. */
export function DeliveryCharts({ channel }: { channel: Pick<Channel, 'id' | 'name'> }) {
  const { t, locale } = useI18n();
  const [range, setRange] = useState<DeliveryStatsRange>('1h');
  const { stats, error, reload } = useDeliveryStats(channel.id, range);

  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  const full = new Intl.DateTimeFormat(locale, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  const ms = (value: number) =>
    value >= 1000
      ? t('charts.seconds', { value: trim(value / 1000, 2) })
      : t('charts.ms', { value: trim(value, 1) });
  const rate = (value: number) => t('charts.perSecond', { value: trim(value, 3) });
  const percent = (value: number) => t('charts.percent', { value: trim(value, 1) });

  const toggle = (
    <div className="segmented chart-range" role="radiogroup" aria-label={t('charts.range')}>
      {ranges.map((r) => (
        <button
          key={r}
          type="button"
          role="radio"
          aria-checked={range === r}
          data-range={r}
          onClick={() => setRange(r)}
        >
          {t(`charts.range.${r}` as MessageKey)}
        </button>
      ))}
    </div>
  );

  let body: ReactNode;
  if (error) body = <Alert tone="error">{t('charts.loadFailed', { error: describeError(error, t) })}</Alert>;
  else if (!stats || stats.range !== range) body = <Loading />;
  else if (stats.totals.requests === 0)
    body = (
      <div data-testid="charts-empty">
        <EmptyState
          icon={<IconChart />}
          title={t('charts.emptyTitle')}
          description={t(`charts.emptyText.${range}` as MessageKey)}
        />
      </div>
    );
  else {
    const shown = outcomes.filter((o) => stats.totals.messages[o] > 0);
    const data = stats.points.map((p) => ({
      at: Date.parse(p.at),
      requests: p.requests,
      ...Object.fromEntries(outcomes.map((o) => [o, p.messages_per_s[o]])),
      errorRate: p.error_rate === null ? null : p.error_rate * 100,
      p50: p.p50_ms,
      p99: p.p99_ms,
    }));
    const totalMessages = outcomes.reduce((n, o) => n + stats.totals.messages[o], 0);
    const xAxis = (
      <XAxis
        dataKey="at"
        type="number"
        scale="time"
        domain={[Date.parse(stats.from), Date.parse(stats.to)]}
        tickFormatter={(v: number) => clock.format(v)}
        tick={{ fontSize: 11, fill: axisColor }}
        stroke={gridColor}
        minTickGap={24}
      />
    );
    const grid = <CartesianGrid stroke={gridColor} vertical={false} />;
    const labelAt = (v: unknown) => (typeof v === 'number' ? full.format(v) : String(v));
    // Steps without requests are gaps, never a line drawn across them; a dot marks every step
    // that has a value, so a lone busy minute still shows.
    const dots = { r: 2.5, strokeWidth: 0 };
    body = (
      <>
        <dl className="chart-totals" data-testid="charts-totals">
          <div>
            <dt>{t('charts.totalMessages')}</dt>
            <dd data-testid="charts-total-messages">{totalMessages}</dd>
          </div>
          <div>
            <dt>{t('charts.totalRequests')}</dt>
            <dd>{stats.totals.requests}</dd>
          </div>
          <div>
            <dt>{t('charts.errorRate')}</dt>
            <dd data-testid="charts-error-rate">
              {stats.totals.error_rate === null ? '—' : percent(stats.totals.error_rate * 100)}
            </dd>
          </div>
          <div>
            <dt>{t('charts.p50')}</dt>
            <dd>{stats.totals.p50_ms === null ? '—' : ms(stats.totals.p50_ms)}</dd>
          </div>
          <div>
            <dt>{t('charts.p99')}</dt>
            <dd>{stats.totals.p99_ms === null ? '—' : ms(stats.totals.p99_ms)}</dd>
          </div>
        </dl>
        <div className="chart-grid">
          <ChartPanel
            wide
            testId="chart-messages"
            title={t('charts.messagesTitle')}
            hint={t(`charts.messagesHint.${range}` as MessageKey)}
          >
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} barCategoryGap={1}>
                {grid}
                {xAxis}
                <YAxis
                  width={56}
                  tick={{ fontSize: 11, fill: axisColor }}
                  stroke={gridColor}
                  tickFormatter={(v: number) => trim(v, 2)}
                  allowDecimals
                />
                <Tooltip
                  labelFormatter={labelAt}
                  formatter={(v, name) => [
                    rate(Number(v)),
                    t(`charts.outcome.${String(name)}` as MessageKey),
                  ]}
                />
                <Legend
                  itemSorter={null}
                  formatter={(name) => t(`charts.outcome.${String(name)}` as MessageKey)}
                  wrapperStyle={{ fontSize: 12 }}
                />
                {shown.map((o) => (
                  <Bar
                    key={o}
                    dataKey={o}
                    stackId="messages"
                    fill={outcomeColor[o]}
                    isAnimationActive={false}
                    minPointSize={0}
                  />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </ChartPanel>
          <ChartPanel testId="chart-error-rate" title={t('charts.errorTitle')} hint={t('charts.errorHint')}>
            <ResponsiveContainer width="100%" height={200}>
              <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
                {grid}
                {xAxis}
                <YAxis
                  width={48}
                  domain={[0, 100]}
                  tick={{ fontSize: 11, fill: axisColor }}
                  stroke={gridColor}
                  tickFormatter={(v: number) => `${v}%`}
                />
                <Tooltip
                  labelFormatter={labelAt}
                  formatter={(v) => [
                    v === null || v === undefined ? t('charts.noRequests') : percent(Number(v)),
                    t('charts.errorRate'),
                  ]}
                />
                <Line
                  type="monotone"
                  dataKey="errorRate"
                  stroke={errorColor}
                  strokeWidth={2}
                  dot={{ ...dots, fill: errorColor }}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </ChartPanel>
          <ChartPanel testId="chart-latency" title={t('charts.latencyTitle')} hint={t('charts.latencyHint')}>
            <ResponsiveContainer width="100%" height={200}>
              <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
                {grid}
                {xAxis}
                <YAxis
                  width={56}
                  tick={{ fontSize: 11, fill: axisColor }}
                  stroke={gridColor}
                  // Plain milliseconds (the caption names the unit): a unit on every tick crowds the axis.
                  tickFormatter={(v: number) => trim(v, 0)}
                />
                <Tooltip
                  labelFormatter={labelAt}
                  formatter={(v, name) => [
                    v === null || v === undefined ? t('charts.noRequests') : ms(Number(v)),
                    name === 'p50' ? t('charts.p50') : t('charts.p99'),
                  ]}
                />
                <Legend
                  itemSorter={null}
                  formatter={(name) => (name === 'p50' ? t('charts.p50') : t('charts.p99'))}
                  wrapperStyle={{ fontSize: 12 }}
                />
                <Line
                  type="monotone"
                  dataKey="p50"
                  stroke={p50Color}
                  strokeWidth={2}
                  dot={{ ...dots, fill: p50Color }}
                  connectNulls={false}
                  isAnimationActive={false}
                />
                <Line
                  type="monotone"
                  dataKey="p99"
                  stroke={p99Color}
                  strokeWidth={2}
                  strokeDasharray="5 3"
                  dot={{ ...dots, fill: p99Color }}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </ChartPanel>
        </div>
      </>
    );
  }

  return (
    <Card
      className="charts-card"
      title={t('charts.title')}
      subtitle={t('charts.subtitle')}
      actions={
        <>
          {toggle}
          <Button size="sm" variant="ghost" icon={<IconRotate />} onClick={reload}>
            {t('charts.refresh')}
          </Button>
        </>
      }
    >
      <div data-testid="delivery-charts" data-range={range}>
        {body}
      </div>
    </Card>
  );
}
