// Whether a connection works: a token is obtained with its credential and its tenant answers (a HEAD
// on the authorization code clients collection, which any client of the tenant may make). Through the
// connection's gateway, so the probe holds a permit of its shared budget like any other request and
// an outage of that tenant is probed no faster than the circuit allows. Throws what the call threw.
import { Priority } from '../workqueue/work-queue.ts';
import type { Connection } from './connection.ts';

/** How long a probe may wait for a permit before it reports the budget's wait (circuit open, rate). */
const PROBE_WAIT_MS = 2_000;

export async function verifyConnection(connection: Connection): Promise<void> {
  await connection.gateway.call(Priority.High, () => connection.dataHub.authorizationCodeClients.list({ count: 0 }), PROBE_WAIT_MS);
}
