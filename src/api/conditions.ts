// The status vocabulary of the API: condition types, reasons, annotations, labels and finalizer
// names. Kept in one place so the controller, the README and the Argo CD health check agree.

export const GROUP = 'identity.datahub.dev';
export const VERSION = 'v1alpha1';

export const ConditionType = {
  Ready: 'Ready',
  Reconciling: 'Reconciling',
  Stalled: 'Stalled',
  Propagated: 'Propagated',
  Paused: 'Paused',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Reasons on the Ready condition (and echoed on Stalled/Reconciling where they apply). */
export const Reason = {
  /** Ready=True: the client matches the spec and the Secret is written. */
  Synced: 'Synced',
  /** Work in flight for the current generation. */
  Progressing: 'Progressing',
  InvalidSpec: 'InvalidSpec',
  RemoteRejected: 'RemoteRejected',
  RemoteUnauthorized: 'RemoteUnauthorized',
  RemoteForbidden: 'RemoteForbidden',
  TenantNotFound: 'TenantNotFound',
  RemoteUnavailable: 'RemoteUnavailable',
  RemoteRateLimited: 'RemoteRateLimited',
  RemoteInvalidResponse: 'RemoteInvalidResponse',
  SecretConflict: 'SecretConflict',
  ClientIdConflict: 'ClientIdConflict',
  KubernetesError: 'KubernetesError',
  /** driftPolicy Report: the client differs from the spec (Ready=False and Stalled=True). */
  Drifted: 'Drifted',
  /** managementPolicy Observe: Data Hub has no client with the pinned Id (retried slowly). */
  RemoteNotFound: 'RemoteNotFound',
  /** Propagated=False until effectiveAfter. */
  AwaitingPropagation: 'AwaitingPropagation',
  Propagated: 'Propagated',
  /** Paused=True while the paused annotation is set. */
  PausedByAnnotation: 'PausedByAnnotation',
  /** Stalled: a role of spec.roles is not a role of the tenant. */
  UnknownRole: 'UnknownRole',
  /** Stalled: spec.roles resolves to Tenant Administrator without allowTenantAdministrator. */
  TenantAdministratorNotAllowed: 'TenantAdministratorNotAllowed',
  /** Stalled: the client already has the 10 secrets Data Hub allows; the operator cannot add its own. */
  SecretLimitReached: 'SecretLimitReached',
  /** A client names a connection it may not use (another namespace's, or a selector that excludes it): Stalled. */
  ConnectionNotAllowed: 'ConnectionNotAllowed',
  /** A client's connection exists but is not Ready (or not yet): Reconciling, clears by itself. */
  ConnectionNotReady: 'ConnectionNotReady',
  /** Connection objects: Ready=True, a token was obtained and the tenant answered. */
  Connected: 'Connected',
  /** Connection objects: the credential Secret or one of its keys is missing (Stalled). */
  CredentialsMissing: 'CredentialsMissing',
  /** Connection objects: Data Hub refused the credential (Stalled). */
  CredentialsRejected: 'CredentialsRejected',
  /** Connection objects: deletion waits while objects still use it. */
  InUse: 'InUse',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export const Annotation = {
  paused: `${GROUP}/paused`,
  reconcileRequestedAt: `${GROUP}/reconcile-requested-at`,
  /** Any new value rotates the client secret at once (echoed in status.lastHandledRotateAt). */
  rotateRequestedAt: `${GROUP}/rotate-requested-at`,
  /** On the Secret: which client secret it holds ("<sequence>/<Data Hub id>/<expiresAt>/<origin>"), never its value. */
  clientSecret: `${GROUP}/client-secret`,
  /** On the Secret: a hash of its managed content, so apps can roll and hand edits are detected. */
  secretHash: `${GROUP}/content-hash`,
  /** On the Secret: the object that manages it (namespace/name), also for Merge-mode Secrets. */
  owner: `${GROUP}/owner`,
  /** On the Secret: the data keys the operator wrote, so keys dropped from the template are removed. */
  secretKeys: `${GROUP}/keys`,
  /**
   * On the Secret: its keys whose value exists only once (a client secret), each with the digest of
   * the value the operator wrote ("clientSecret=<digest>"). The operator's cache keeps only digests of them.
   */
  sealed: `${GROUP}/sealed`,
} as const;

export const Label = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** On every Secret the operator writes: lets it watch only those Secrets. */
  managed: `${GROUP}/managed`,
} as const;

export const MANAGED_BY = 'datahub-operator';
export const FINALIZER = `${GROUP}/finalizer`;
export const FIELD_MANAGER = 'datahub-operator';

/** The metav1.Condition shape. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}
