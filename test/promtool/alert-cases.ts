// Hand-written but realistic series (two replicas, the labels a ServiceMonitor scrape adds, the label
// values the operator really uses) for every shipped alert with the chart's default values: each case
// says when the alert must NOT fire yet and when it fires (or that it never does). The recorded run of
// the real operator is test/integration/alerts-recorded.test.ts. Data only.
import type { InputSeries, RuleTestCase } from './rule-tests.ts';

const JOB = 'job="datahub-operator-metrics",namespace="datahub-operator-system",service="datahub-operator-metrics",endpoint="metrics"';
const POD_A = `${JOB},instance="10.42.0.17:8080",pod="datahub-operator-6d8f7c9b4-k2x7q",container="operator"`;
const POD_B = `${JOB},instance="10.42.1.9:8080",pod="datahub-operator-6d8f7c9b4-w8p4z",container="operator"`;
const KIND = 'kind="ClientCredentialsClient"';
const ACC = 'controller="authorizationcodeclient",name="authorizationcodeclient"';

/** The same gauge from both replicas (each computes it from its own informer cache). */
const bothReplicas = (metric: string, labels: string, values: string): InputSeries[] => [
  { series: `${metric}{${POD_A},${labels}}`, values },
  { series: `${metric}{${POD_B},${labels}}`, values },
];

/** A counter that steps up by one every `every` samples, `steps` times, then stays. */
const steppingCounter = (every: number, steps: number, tail: number): string =>
  [...Array.from({ length: steps + 1 }, (_, i) => `${i}x${every - 1}`), `${steps}x${tail}`].join(' ');

export const ALERT_CASES: RuleTestCase[] = [
  {
    name: 'a current client secret enters the 7d window at 10m (the 30d window long before), never the 1d one',
    interval: '1m',
    series: [
      ...bothReplicas('datahub_secrets_expiring', `${KIND},within="30d"`, '1x60'),
      ...bothReplicas('datahub_secrets_expiring', `${KIND},within="7d"`, '0x10 1x50'),
      ...bothReplicas('datahub_secrets_expiring', `${KIND},within="1d"`, '0x60'),
    ],
    checks: [
      { alert: 'DataHubClientSecretExpiring', at: '20m', firing: [] },
      { alert: 'DataHubClientSecretExpiring', at: '30m', firing: [{ kind: 'ClientCredentialsClient' }] },
      { alert: 'DataHubClientSecretExpiryImminent', at: '60m', firing: [] },
    ],
  },
  {
    name: 'a client secret within a day of expiry is critical after 15m',
    interval: '1m',
    series: bothReplicas('datahub_secrets_expiring', 'kind="HybridClient",within="1d"', '0x5 1x40'),
    checks: [
      { alert: 'DataHubClientSecretExpiryImminent', at: '15m', firing: [] },
      { alert: 'DataHubClientSecretExpiryImminent', at: '25m', firing: [{ kind: 'HybridClient' }] },
    ],
  },
  {
    name: 'rotations fail every 10 minutes: alert after failing in every 15m window for 1h; one failure then success never alerts',
    interval: '1m',
    series: [
      { series: `datahub_secret_rotations_total{${POD_A},${KIND},result="failure"}`, values: steppingCounter(10, 10, 10) },
      { series: `datahub_secret_rotations_total{${POD_A},${KIND},result="success"}`, values: '0x120' },
      { series: `datahub_secret_rotations_total{${POD_A},kind="HybridClient",result="failure"}`, values: '0x9 1x110' },
      { series: `datahub_secret_rotations_total{${POD_A},kind="HybridClient",result="success"}`, values: '0x10 1x110' },
    ],
    checks: [
      { alert: 'DataHubSecretRotationFailing', at: '60m', firing: [] },
      { alert: 'DataHubSecretRotationFailing', at: '80m', firing: [{ kind: 'ClientCredentialsClient' }] },
    ],
  },
  {
    name: 'two objects Stalled from 5m: alert after 15m',
    interval: '1m',
    series: [
      ...bothReplicas('datahub_objects', 'kind="AuthorizationCodeClient",condition="Stalled",status="True"', '0x5 2x40'),
      ...bothReplicas('datahub_objects', 'kind="AuthorizationCodeClient",condition="Ready",status="True"', '12x5 10x40'),
    ],
    checks: [
      { alert: 'DataHubObjectsStalled', at: '15m', firing: [] },
      { alert: 'DataHubObjectsStalled', at: '25m', firing: [{ kind: 'AuthorizationCodeClient' }] },
    ],
  },
  {
    name: 'the oldest not-Ready object ages past 30 minutes at 40m; another kind recovers in time',
    interval: '1m',
    series: [
      ...bothReplicas('datahub_objects_not_ready_seconds', 'kind="AuthorizationCodeClient"', '0x10 60+60x60'),
      ...bothReplicas('datahub_objects_not_ready_seconds', KIND, '0x10 60+60x25 0x35'),
    ],
    checks: [
      { alert: 'DataHubObjectsNotReady', at: '42m', firing: [] },
      { alert: 'DataHubObjectsNotReady', at: '50m', firing: [{ kind: 'AuthorizationCodeClient' }] },
    ],
  },
  {
    name: 'the circuit of one connection is open from 11m to 30m',
    interval: '1m',
    series: [
      ...bothReplicas('datahub_circuit_open', 'connection="team-a/datahub"', '0x10 1x20 0x10'),
      ...bothReplicas('datahub_circuit_open', 'connection="default"', '0x40'),
    ],
    checks: [
      { alert: 'DataHubUnavailable', at: '14m', firing: [] },
      { alert: 'DataHubUnavailable', at: '20m', firing: [{ connection: 'team-a/datahub' }] },
      { alert: 'DataHubUnavailable', at: '38m', firing: [] },
    ],
  },
  {
    name: 'Data Hub answers 429 to one connection all along: alert after 30m; 200s only never alert',
    interval: '1m',
    series: [
      { series: `datahub_requests_total{${POD_A},connection="default",method="GET",route="/AuthorizationCodeClients/{id}",status="429"}`, values: '0+3x60' },
      { series: `datahub_requests_total{${POD_A},connection="default",method="GET",route="/AuthorizationCodeClients/{id}",status="200"}`, values: '0+40x60' },
      { series: `datahub_requests_total{${POD_A},connection="team-a/datahub",method="GET",route="/AuthorizationCodeClients/{id}",status="200"}`, values: '0+40x60' },
    ],
    checks: [
      { alert: 'DataHubRateLimited', at: '20m', firing: [] },
      { alert: 'DataHubRateLimited', at: '45m', firing: [{ connection: 'default' }] },
    ],
  },
  {
    name: 'the leader queue grows from 150 and never drains; a deep queue that drains never alerts',
    interval: '1m',
    series: [
      { series: `workqueue_depth{${POD_A},${ACC}}`, values: '150+10x60' },
      { series: `workqueue_depth{${POD_A},controller="clientcredentialsclient",name="clientcredentialsclient"}`, values: '400-5x60' },
      { series: `workqueue_depth{${POD_B},${ACC}}`, values: '0x60' },
    ],
    checks: [
      { alert: 'DataHubOperatorWorkqueueBacklog', at: '10m', firing: [] },
      { alert: 'DataHubOperatorWorkqueueBacklog', at: '35m', firing: [{ name: 'authorizationcodeclient' }] },
    ],
  },
  {
    name: 'the leader loses the Lease at 11m and the standby never takes it',
    interval: '1m',
    series: [
      { series: `leader_election_master_status{${POD_A},name="datahub-operator-leader"}`, values: '1x10 0x20' },
      { series: `leader_election_master_status{${POD_B},name="datahub-operator-leader"}`, values: '0x30' },
    ],
    checks: [
      { alert: 'DataHubOperatorNoLeader', at: '10m', firing: [] },
      { alert: 'DataHubOperatorNoLeader', at: '14m', firing: [] },
      { alert: 'DataHubOperatorNoLeader', at: '20m', firing: [{ name: 'datahub-operator-leader' }] },
    ],
  },
  {
    name: 'both replicas stop answering scrapes at 11m',
    interval: '1m',
    series: [
      { series: `up{${POD_A}}`, values: '1x10 0x20' },
      { series: `up{${POD_B}}`, values: '1x10 0x20' },
    ],
    checks: [
      { alert: 'DataHubOperatorDown', at: '14m', firing: [] },
      // absent() of an expression (not a bare selector) has no labels to copy.
      { alert: 'DataHubOperatorDown', at: '20m', firing: [{}] },
    ],
  },
  {
    name: 'one replica down, the other fine: the operator is not down',
    interval: '1m',
    series: [
      { series: `up{${POD_A}}`, values: '1x10 0x20' },
      { series: `up{${POD_B}}`, values: '1x30' },
      { series: `leader_election_master_status{${POD_A},name="datahub-operator-leader"}`, values: '1x10 _x20' },
      { series: `leader_election_master_status{${POD_B},name="datahub-operator-leader"}`, values: '0x12 1x18' },
    ],
    checks: [
      { alert: 'DataHubOperatorDown', at: '25m', firing: [] },
      { alert: 'DataHubOperatorNoLeader', at: '25m', firing: [] },
    ],
  },
];
