/**
 * What the kiosk or hub (the parent) and its Node-RED child say to each other over the child's IPC channel, and
 * the events and calls our nodes use. The child holds no service of its own: every card, printer, member, points
 * or message operation is a call the parent answers with its own interfaces, so a flow can do nothing the parent
 * does not offer, and money moves only through the ledger's normal path with the flow's identity as the actor.
 *
 * The child's code is JavaScript (flows/child, flows/nodes), type-checked against this file through JSDoc.
 */

/** The settings the parent sends in its first message (never in argv or the environment: the secret is in it). */
export interface ChildSettings {
  /** Loopback only: the kiosk's editor is reached at the kiosk or through an SSH tunnel, the hub's through its console's TLS proxy. */
  host: string;
  /** 0: any free port (the child reports the one it got in `ready`). */
  port: number;
  /** Where the editor and its admin API are served ('/' on a kiosk, '/node-red' behind the hub's proxy). */
  httpAdminRoot: string;
  /** flows.json, flows_cred.json (encrypted), context/ and .sessions.json: under the data directory, so they survive upgrades. */
  userDir: string;
  /** Our nodes' package folders (a folder with a package.json holding a "node-red" section). */
  nodesDir: string[];
  /** Encrypts flows_cred.json: from the configuration or the environment, never the repository. */
  credentialSecret: string;
  /** Flows stopped, editor up: after repeated kills, so a technician can mend a runaway flow. */
  safeMode: boolean;
  /** How long an editor login lasts. */
  sessionExpirySeconds: number;
  /** Shown in the editor's header: which kiosk or hub this is. */
  title: string;
  /** How often the child's heartbeat answers are due; the parent kills a child that misses them. */
  heartbeatMs: number;
}

/** A user the editor lets in: a staff account the parent checked (technician or HQ admin), with every permission. */
export interface EditorUser {
  username: string;
  permissions: '*';
}

export type ParentMessage =
  | { t: 'init'; settings: ChildSettings }
  | { t: 'ping'; n: number }
  | { t: 'event'; topic: string; payload: unknown }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; code: string; message: string };

export type ChildMessage =
  | { t: 'ready'; url: string }
  | { t: 'pong'; n: number }
  | { t: 'call'; id: number; method: string; params: unknown }
  | { t: 'failed'; code: string; message: string };

/**
 * The calls the child itself makes for the editor's login (not node calls): `authenticate` { username, password } →
 * EditorUser | null, a technician or HQ admin whose login and password the parent checked; `user` { username } →
 * EditorUser | null, the user behind an open editor session, still allowed (a deactivated account is not).
 */
export { AUTH_CALLS } from '../child/auth-calls.mjs';

// ---- Kiosk: events the parent sends (topic → payload) ----

export const KIOSK_EVENTS = { cardTap: 'card-tap', transactionDone: 'transaction-done', deviceStatus: 'device-status', hubCommand: 'hub-command' } as const;

/** A card tapped on the kiosk's reader, once the kiosk knows whose it is. No card number: the masked one only. */
export interface CardTapEvent {
  at: string;
  kind: 'member' | 'staff' | 'unknown';
  /** Members only. */
  memberId: string | null;
  tier: string | null;
  /** The card number masked to its last four characters (********0001). */
  cardMasked: string;
  deviceId: string;
  storeId: string;
}

/** A transaction the kiosk made, when its outcome is known (applied, or queued while the hub is away, or refused). */
export interface TransactionDoneEvent {
  at: string;
  txId: string;
  kind: string;
  status: 'applied' | 'queued' | 'rejected';
  code: string | null;
  memberId: string | null;
  /** What the member paid or topped up, in cents (0 where nothing moved). */
  amountCents: number;
  pointsEarned: number;
  pointsSpent: number;
  deviceId: string;
  storeId: string;
}

export interface DeviceStatusEvent {
  at: string;
  reader: string;
  printer: string;
  hubConnected: boolean;
  outboxDepth: number;
  deviceId: string;
  storeId: string;
}

/** A command HQ's flows sent to this kiosk (hub `device command` node). */
export interface HubCommandEvent {
  at: string;
  command: string;
  args: Record<string, unknown>;
}

// ---- Kiosk: calls our nodes make (method → params → value) ----

export const KIOSK_CALLS = { print: 'kiosk.print', showMessage: 'kiosk.showMessage', serialWrite: 'kiosk.serialWrite' } as const;

/** Printed through the kiosk's receipt printer (the same driver and paper checks as receipts). */
export interface PrintParams {
  title?: string;
  lines: string[];
  /** Printed as a QR code under the lines (a coupon code, a link). */
  qr?: string;
}
export interface PrintValue {
  printed: true;
}

/** A message on the kiosk's screen, over whatever it shows, for `seconds`; zh-CN first, English when the screen is in English. */
export interface ShowMessageParams {
  text: string | { 'zh-CN'?: string; en?: string };
  seconds?: number;
  tone?: 'info' | 'success' | 'warning';
}
export interface ShowMessageValue {
  shown: true;
}

/** Bytes to a serial port the technician configured (a lamp, a buzzer, a store system), by its name. */
export interface SerialWriteParams {
  port?: string;
  data: string;
  encoding?: 'utf8' | 'hex';
}
export interface SerialWriteValue {
  bytes: number;
}

// ---- Hub: events ----

export const HUB_EVENTS = { ledgerEvent: 'ledger-event', deviceState: 'device-state' } as const;

/** A transaction the ledger answered (applied or refused and recorded), for any kiosk or HQ. */
export interface LedgerEvent {
  at: string;
  txId: string;
  deviceId: string;
  storeId: string | null;
  kind: string;
  status: 'applied' | 'rejected';
  code: string | null;
  memberId: string | null;
  pointsEarned: number;
  pointsSpent: number;
  valueDeltaCents: number;
}

/** A kiosk's reported state changed (availability, printer, reader, outbox). */
export interface DeviceStateEvent {
  at: string;
  deviceId: string;
  storeId: string | null;
  online: boolean;
  printer: string | null;
  reader: string | null;
  outboxDepth: number | null;
}

// ---- Hub: calls ----

export const HUB_CALLS = {
  memberGet: 'member.get',
  memberSegment: 'member.segment',
  pointsGrant: 'points.grant',
  messageSend: 'message.send',
  deviceCommand: 'device.command',
} as const;

/** What a flow may know of a member: no phone, no card number (messages are addressed by member id; the hub resolves the phone). */
export interface MemberSummary {
  memberId: string;
  name: string;
  tier: string;
  homeStoreId: string;
  points: number;
  storedValueCents: number;
  /** When the member joined (ISO UTC). */
  joinedAt: string;
  /** YYYY-MM-DD, or null when not given. */
  birthday: string | null;
  /** The member's newest applied transaction (ISO UTC), or null. */
  lastSeenAt: string | null;
  /** Whether the member's newest marketing consent record grants it. */
  marketingConsent: boolean;
}

export type MemberGetParams = { memberId: string } | { phone: string };
export type MemberGetValue = MemberSummary | null;

export const SEGMENTS = ['birthday-today', 'anniversary-today', 'inactive', 'all'] as const;
export type SegmentName = (typeof SEGMENTS)[number];

/** Dates ("today") are the chain's time zone's. */
export interface MemberSegmentParams {
  segment: SegmentName;
  /** inactive: not seen for at least this many days (1–3650). */
  days?: number;
  tier?: string;
  storeId?: string;
  minStoredValueCents?: number;
  /** Only members whose newest marketing consent grants it. */
  consent?: 'marketing';
  /** At most this many (1–5000, default 1000). */
  limit?: number;
}
export interface MemberSegmentValue {
  members: MemberSummary[];
  truncated: boolean;
}

/**
 * An audited bonus through the ledger's normal transaction path, with the flow's acting staff account as the actor.
 * The same idempotencyKey never grants twice, whatever restarts or re-runs happen.
 */
export interface PointsGrantParams {
  memberId: string;
  points: number;
  reason: string;
  idempotencyKey: string;
}
export interface PointsGrantValue {
  status: 'granted' | 'already-granted';
  txId: string;
  points: number;
}

/**
 * A message to a member (SMS through the chain's gateway) or to a store's managers (the staff webhook, e.g. a WeCom
 * or DingTalk group robot). Marketing to a member goes only with their marketing consent and never after they
 * unsubscribed; the same idempotencyKey is sent once.
 */
export interface MessageSendParams {
  to: { memberId: string } | { storeManagers: string };
  purpose: 'service' | 'marketing';
  text: string;
  idempotencyKey: string;
}
export interface MessageSendValue {
  status: 'sent' | 'already-sent' | 'skipped-no-consent' | 'skipped-no-contact' | 'failed';
  messageId: string | null;
}

export interface DeviceCommandParams {
  deviceId: string;
  command: 'show-message';
  args: { text: string | { 'zh-CN'?: string; en?: string }; seconds?: number };
}
export interface DeviceCommandValue {
  sent: true;
}

/** A call's handler in the parent: throws CodedError for a refusal the flow sees as msg.error { code, message }. */
export type FlowCallHandler = (params: unknown) => Promise<unknown>;
export type FlowCalls = Readonly<Record<string, FlowCallHandler>>;
