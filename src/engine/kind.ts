// The kind contract: everything the engine needs to know about one kind of client object, in the
// shape of crossplane-runtime's managed reconciler. A kind declares its resource, validates its spec,
// picks the connection of an object (connect), builds an external client for that connection
// (observe / create / update / delete), computes its desired remote state and the field diff, and
// says what goes into the Secret. Optional hooks leave room for kinds that carry a client secret
// (a step between remote sync and Secret publishing, extra Secret values, status extras, a status
// checkpoint before a call that creates a secret). The engine imports no kind; operator.ts
// registers them. What every kind shares (managementPolicy Observe, the default Secret keys a
// template may not use) the engine does itself: a kind only declares its default keys.
import type { Condition } from '../api/conditions.ts';
import type { KubeObject, Secret } from '../api/objects.ts';
import type { Connection } from '../connections/connection.ts';
import type { GatewayCalls } from '../connections/gateway.ts';
import type { EventSink } from '../kube/event-recorder.ts';
import type { ResourceType } from '../kube/resources.ts';
import type { RemoteResult } from './remote-sync.ts';

/** spec.secret, the same for every client kind. */
export interface SecretSpec {
  name?: string;
  creationPolicy?: 'Owner' | 'Merge';
  template?: { labels?: Record<string, string>; annotations?: Record<string, string>; data?: Record<string, string> };
}

/** The spec fields every client kind shares, as the engine reads them. */
export interface ClientSpec {
  clientId?: string;
  /** Observe: the client is only read (never created, changed or deleted); spec.clientId names it. */
  managementPolicy?: 'Manage' | 'Observe';
  deletionPolicy?: 'Delete' | 'Orphan';
  driftPolicy?: 'Enforce' | 'Report';
  resyncInterval?: string;
  secret?: SecretSpec;
}

/** The status fields every client kind shares; a kind adds its own through KindStepResult.status. */
export interface ClientStatus {
  observedGeneration?: number;
  clientId?: string;
  tenantId?: string;
  secretName?: string;
  lastSyncedTime?: string;
  effectiveAfter?: string;
  lastHandledReconcileAt?: string;
  conditions?: Condition[];
}

export interface ClientObject extends KubeObject {
  spec: ClientSpec;
  status?: ClientStatus;
}

export interface KindDescription {
  resource: ResourceType;
  /** The controller and work-queue metrics label (controller-runtime: the lower-case kind). */
  controller: string;
  /**
   * The first kind only (AuthorizationCodeClient): its derived client Ids and its Secrets' owner
   * annotation ("namespace/name") predate kinds in keys, and must stay as they are so that no
   * client is re-created and no Secret rewritten. Every later kind leaves this unset: the kind is
   * then part of the client-Id derivation and of the owner annotation.
   */
  legacy?: boolean;
  /**
   * Every key the kind writes into the Secret by default (including those its afterRemote step
   * adds). A spec.secret.template.data key may not be one of them: the CRD refuses it with a CEL
   * rule listing the same keys, and the engine refuses it too (InvalidSpec) for objects stored
   * before that rule.
   */
  secretKeys: readonly string[];
}

/** Calls to Data Hub for one object's remote client, through its connection's gateway. */
export interface ExternalClient<D, R> {
  /** The remote client, or undefined when Data Hub has none with this Id. */
  observe(id: string): Promise<R | undefined>;
  /** Batched read for drift checks: only the clients that exist, keyed by the Id as asked. */
  observeMany(ids: string[]): Promise<Map<string, R>>;
  /** Creates with the pre-chosen Id; a 409 (DataHubError status 409) means it exists. */
  create(desired: D): Promise<R>;
  update(desired: D): Promise<R>;
  /** A missing client throws a DataHubError for which isMissing() holds; the engine counts it as done. */
  delete(id: string): Promise<void>;
}

/** One object with what the engine decided about it before any call. */
export interface ObjectContext<O> {
  obj: O;
  clientId: string;
  connection: Connection;
}

/**
 * The value of a Secret key whose plaintext exists only once (a client secret Data Hub returned in
 * one answer): a fresh plaintext to write now, or "keep" the one the Secret holds. The engine never
 * caches such a value (its Secret cache holds a digest) and reads the Secret back only when a write
 * must carry a kept value (secret-seal.ts).
 */
export type SealedValue = { plaintext: string } | { keep: true };

/** What secret() is given. */
export interface SecretContext<O, R> extends ObjectContext<O> {
  /**
   * managementPolicy Observe: the remote client as Data Hub holds it. Values the spec would have
   * supplied (e.g. redirectUri) come from it; the spec's client fields are ignored (and may be absent).
   */
  observed?: R;
}

/** What goes into the Secret: the default keys, and every name $(placeholders) may use. */
export interface SecretContents {
  /** The default keys, in order. */
  data: Record<string, string>;
  /** Everything the template's data may name, in the order listed in messages. */
  variables: Record<string, string>;
  /** Keys whose values are sealed (never placeholders: a template could not be written again later). */
  sealed?: Record<string, SealedValue>;
  /** Annotations of the kind's own on the Secret (the operator's bookkeeping annotations win). */
  annotations?: Record<string, string>;
}

/** What a kind's own step (KindHooks.afterRemote) hands on. */
export interface KindStepResult {
  /** Extra Secret keys, also usable as placeholders (e.g. tokenUrl, secretExpiresAt). */
  secret?: Record<string, string>;
  /** Extra Secret keys whose plaintext exists once (e.g. clientSecret): see SealedValue. */
  sealed?: Record<string, SealedValue>;
  /** Annotations of the kind's own on the Secret (e.g. which client secret it holds). */
  secretAnnotations?: Record<string, string>;
  /** Added to the Ready message when the object is in sync (kept stable: it is part of status). */
  message?: string;
  /** Kind-specific status fields (e.g. currentSecret, previousSecret, nextRotationAt). */
  status?: Record<string, unknown>;
  /** Come back after at most this long (e.g. when the next rotation is due). */
  requeueAfterMs?: number;
  /**
   * The remote sync found an existing client (and calls it adopted), but the kind can tell this
   * object created it (e.g. it carries a client secret marked with the object's uid): a create whose
   * answer was lost in a crash. The events then say so instead of "Adopted".
   */
  createdEarlier?: boolean;
}

export interface StepContext<O, D, R> extends ObjectContext<O> {
  desired: D;
  remote: RemoteResult<R>;
  external: ExternalClient<D, R>;
  /** The Secret as the operator's cache holds it now (sealed values as digests), if it exists. */
  secret: Secret | undefined;
  /** The Secret as the API server has it now (sealed values as digests), before a step destroys what it might hold. */
  readSecret(): Promise<Secret | undefined>;
  /** A reconcile-requested-at this reconcile handles: look at Data Hub again rather than trust memory. */
  forced: boolean;
  /** When this reconcile started deciding. */
  now: number;
  events: EventSink;
  /**
   * Writes status now, before the Data Hub call that follows. The one exception to "status is
   * written once, at the end": a kind records its intent (e.g. the secret it is about to create)
   * before a call whose result exists only once, so a crash right after it can be cleaned up.
   */
  checkpoint(status: Record<string, unknown>): Promise<void>;
}

/** Optional steps a kind may add; the engine runs each at its place in the reconcile. */
export interface KindHooks<O, D, R> {
  /**
   * Before desired() and any remote call: what the kind must learn first (e.g. its role Ids through
   * a cache of its connection). May throw TerminalError / RetryableError like any step.
   */
  beforeRemote?(ctx: ObjectContext<O>): Promise<void>;
  /** Between remote sync and Secret publishing (secret-bearing kinds: rotation). Not run under managementPolicy Observe. */
  afterRemote?(ctx: StepContext<O, D, R>): Promise<KindStepResult>;
}

export interface Kind<O extends ClientObject, D, R> extends KindHooks<O, D, R> {
  readonly description: KindDescription;
  /** Problems the CRD schema could not catch (or that an older CRD let through), as `<field>: <problem>`. */
  validate(obj: O): string[];
  /** The Data Hub connection that serves the object. */
  connect(obj: O): Connection;
  /** The external client of a connection; every call goes through `calls` (the budget). */
  external(connection: Connection, calls: GatewayCalls): ExternalClient<D, R>;
  /** Not called under managementPolicy Observe (the spec's client fields may be absent). */
  desired(obj: O, clientId: string): D;
  /** Names of the managed fields where the remote client differs (empty: in sync). */
  diff(desired: D, remote: R): string[];
  secret(ctx: SecretContext<O, R>): SecretContents;
}

/** A kind with its types erased, as the engine holds a list of them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKind = Kind<any, any, any>;
