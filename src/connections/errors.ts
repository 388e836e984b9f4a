// Why an object cannot use its connection: not allowed (a reference the rules refuse: Stalled, no
// request is ever made on its behalf) or not ready (the connection does not exist yet or is not
// Ready: retried, and the object is re-queued when the connection becomes Ready). The engine's error
// table (engine/errors.ts) turns it into a verdict and a condition.
import { Reason } from '../api/conditions.ts';

export class ConnectionError extends Error {
  readonly reason: typeof Reason.ConnectionNotAllowed | typeof Reason.ConnectionNotReady;
  /** Not allowed: Stalled until the reference, the selector or the namespace's labels change. */
  readonly stalled: boolean;

  constructor(reason: ConnectionError['reason'], message: string) {
    super(message);
    this.name = 'ConnectionError';
    this.reason = reason;
    this.stalled = reason === Reason.ConnectionNotAllowed;
  }
}

export function notAllowed(message: string): ConnectionError {
  return new ConnectionError(Reason.ConnectionNotAllowed, message);
}

export function notReady(message: string): ConnectionError {
  return new ConnectionError(Reason.ConnectionNotReady, message);
}
