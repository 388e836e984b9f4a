// The operator's structured logger (pino, JSON to stdout). Redaction paths make sure credentials,
// tokens and Secret data never reach a log line even if a caller passes the whole object.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  'accessToken',
  '*.accessToken',
  'access_token',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
];

export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'datahub-operator' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
