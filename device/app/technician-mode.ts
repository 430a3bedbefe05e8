/**
 * Technician mode: why a kiosk is unhappy, for the person standing at it. A technician signs in as staff do
 * (technician card on the reader, then the PIN: the hub checks both and audits the sign-in) and the screen asks
 * for the diagnostics — the kiosk's identity and software, its enrolment, clock, link to the hub, outbox, signed
 * configuration, reader and printer, and its recent errors — and may print a test page through the real print
 * path. Store managers and HQ admins see the same; cashiers do not (nothing here is for a till).
 *
 * Nothing here reaches the hub or changes anything but paper: the test page is logged with who asked, and not
 * audited at the hub (the sign-in that allowed it is).
 */
import type { Logger } from 'pino';
import { ALERT_CODES, type Alert } from '../../core/wire/alerts.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { KioskConfigView } from '../config/config-view.ts';
import { printerStateOf, readerStateOf, type PrinterState, type ReaderState } from '../hardware/hardware-state.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { CardReaderHealth, PrinterHealth, PrintOutcome, Receipt } from '../ports.ts';
import type { ReceiptContext } from '../receipt/build-receipt.ts';
import { KioskError } from './kiosk-errors.ts';
import type { LinkEventSource } from './kiosk-events.ts';
import type { ReceiptPrinting } from './receipt-printing.ts';

/** Who may see the diagnostics and print a test page. */
export const DIAGNOSTICS_ROLES: readonly string[] = ['technician', 'store_manager', 'hq_admin'];

const RECENT_ERRORS = 20;

/** What the composition root knows of the kiosk beyond its use cases. */
export interface TechnicianInfo {
  softwareVersion: string;
  /** The hub this kiosk talks to (any credentials in it are redacted here) and when it was enrolled, if it was. */
  enrolment: () => { hubUrl: string; since?: string };
  /** hub − kiosk as the hub last measured it, and when; empty before the first measurement. */
  clock: () => { skewMs?: number; measuredAt?: string };
  /** The configured reader and printer: their model (kind) and where they are connected. */
  hardware: () => { reader: { model: string; port: string }; printer: { model: string; port: string; paperWidthMm: number } };
  /** The kiosk's Node-RED (flows/) while it is switched on; absent or null when it is off. */
  nodeRed?: () => NodeRedDiagnostics | null;
}

/** Node-RED as a technician needs to know it: running, restarting after a kill, or in safe mode, and where its editor is. */
export interface NodeRedDiagnostics {
  state: 'off' | 'starting' | 'running' | 'restarting' | 'safe-mode' | 'stopped';
  editorUrl: string | null;
  kills: number;
  lastExit: { at: string; reason: string; code: string | null } | null;
}

export interface TechnicianDiagnostics {
  deviceId: string;
  storeId: string;
  softwareVersion: string;
  enrolled: { hubUrl: string; since?: string };
  clock: { skewMs?: number; measuredAt?: string };
  /** since: when the link last went up or down (or the kiosk started, if neither happened since). */
  connectivity: { connected: boolean; since: string; lastError?: { code: string; at: string } };
  outbox: {
    depth: number;
    oldestPending: { id: string; epoch: string; seq: number; createdAt: string | null } | null;
    /** The hub's newest refusal of a queued transaction (held for retry, or closed for good). */
    lastRefusal?: { txId: string | null; code: string | null; at: string; closed: boolean };
  };
  config: {
    bundleVersion: number;
    snapshotVersion: number | null;
    expires: string | null;
    expired: boolean;
    lastRefusal: { code: string; at: string; detail: string } | null;
  };
  hardware: {
    reader: CardReaderHealth & { state: ReaderState; model: string; port: string };
    printer: (PrinterHealth & { state: PrinterState; model: string; port: string; paper: { widthMm: number; state: 'ok' | 'low' | 'out' } }) | null;
  };
  /** Null: Node-RED is switched off on this kiosk. */
  nodeRed: NodeRedDiagnostics | null;
  /** Newest first: alerts, receipts not printed, the drivers' last errors. */
  recentErrors: { code: string; at: string; message: string }[];
}

export interface TechnicianModeDeps {
  info: TechnicianInfo;
  staff: () => StaffSessionView | null;
  identity: () => { deviceId: string; storeId: string };
  link: LinkEventSource & Pick<HubLink, 'isConnected'> & Partial<Pick<HubLink, 'lastFailure'>>;
  outbox: Pick<Outbox, 'depth' | 'oldestPending' | 'get'>;
  rulesVersion: () => number;
  config?: () => KioskConfigView;
  drivers?: () => { cardReader: CardReaderHealth; printer: PrinterHealth };
  alerts?: () => Alert[];
  printing: Pick<ReceiptPrinting, 'print' | 'notPrinted'>;
  receiptContext: () => ReceiptContext;
  logger: Logger;
  now?: () => number;
}

export interface TechnicianMode {
  /** STAFF_SESSION_REQUIRED with nobody signed in, STAFF_UNAUTHORIZED for a role not in DIAGNOSTICS_ROLES. */
  diagnostics(): TechnicianDiagnostics;
  /** A test page (store, device, time, printer model, a QR) through the real print path; same refusals. */
  testPrint(): Promise<PrintOutcome>;
  stop(): void;
}

/** A URL with any user name, password and query taken out: MQTT logins must not show on a screen. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    parsed.search = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@').replace(/\?.*$/, '');
  }
}

export function createTechnicianMode(deps: TechnicianModeDeps): TechnicianMode {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  let linkSince = now();
  const linkMoved = () => {
    linkSince = now();
  };
  deps.link.on('connected', linkMoved);
  deps.link.on('disconnected', linkMoved);

  function authorise(action: string): StaffSessionView {
    const staff = deps.staff();
    if (!staff) throw new KioskError('STAFF_SESSION_REQUIRED', `${action} needs a technician signed in on this kiosk (technician card and PIN)`);
    if (!DIAGNOSTICS_ROLES.includes(staff.role)) throw new KioskError('STAFF_UNAUTHORIZED', `role ${staff.role} may not use technician mode`);
    return staff;
  }

  function outboxPart(alerts: readonly Alert[]): TechnicianDiagnostics['outbox'] {
    const oldest = deps.outbox.oldestPending();
    const refusal = alerts.find((a) => a.code === 'TX_REFUSED_UNRECORDED' || a.code === 'TX_CLOSED_BY_REFUSAL');
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return {
      depth: deps.outbox.depth(),
      oldestPending: oldest ? { id: oldest.id, epoch: oldest.epoch, seq: oldest.seq, createdAt: deps.outbox.get(oldest.id)?.createdAt ?? null } : null,
      ...(refusal ? { lastRefusal: { txId: text(refusal.detail.txId), code: text(refusal.detail.code), at: refusal.at, closed: refusal.code === 'TX_CLOSED_BY_REFUSAL' } } : {}),
    };
  }

  function hardwarePart(): TechnicianDiagnostics['hardware'] {
    const described = deps.info.hardware();
    const drivers = deps.drivers?.();
    const readerHealth: CardReaderHealth = drivers?.cardReader ?? { kind: described.reader.model, connected: false, reconnects: 0, framesRejected: 0 };
    const printer = drivers?.printer;
    return {
      reader: { ...readerHealth, state: readerStateOf(readerHealth), ...described.reader },
      printer: printer
        ? {
            ...printer,
            state: printerStateOf(printer),
            ...described.printer,
            paper: { widthMm: described.printer.paperWidthMm, state: printer.paperOut ? 'out' : printer.paperNearEnd ? 'low' : 'ok' },
          }
        : null,
    };
  }

  function recentErrors(alerts: readonly Alert[], hardware: TechnicianDiagnostics['hardware']): TechnicianDiagnostics['recentErrors'] {
    const errors: TechnicianDiagnostics['recentErrors'] = alerts.map((a) => ({ code: a.code, at: a.at, message: alertMessage(a) }));
    for (const failure of deps.printing.notPrinted()) errors.push({ code: failure.code, at: failure.at, message: `receipt of ${failure.txId} not printed` });
    for (const [device, health] of [['reader', hardware.reader], ['printer', hardware.printer]] as const) {
      const last = health?.lastError;
      if (last) errors.push({ code: last.code, at: new Date(last.at).toISOString(), message: `${device}: ${last.message}` });
    }
    return errors.sort((a, b) => b.at.localeCompare(a.at)).slice(0, RECENT_ERRORS);
  }

  /** Why the broker last refused or failed this kiosk (its credentials, the network), if it ever did. */
  function lastLinkError(): { lastError?: { code: string; at: string } } {
    const failure = deps.link.lastFailure?.();
    return failure ? { lastError: { code: failure.code, at: failure.at } } : {};
  }

  return {
    diagnostics() {
      authorise('the diagnostics');
      const { deviceId, storeId } = deps.identity();
      const alerts = deps.alerts?.() ?? [];
      const config = deps.config?.();
      const enrolment = deps.info.enrolment();
      const hardware = hardwarePart();
      return {
        deviceId,
        storeId,
        softwareVersion: deps.info.softwareVersion,
        enrolled: { ...enrolment, hubUrl: redactUrl(enrolment.hubUrl) },
        clock: deps.info.clock(),
        connectivity: { connected: deps.link.isConnected(), since: new Date(linkSince).toISOString(), ...lastLinkError() },
        outbox: outboxPart(alerts),
        config: {
          bundleVersion: deps.rulesVersion(),
          snapshotVersion: config?.snapshotVersion ?? null,
          expires: config?.expires ?? null,
          expired: config?.expired ?? false,
          lastRefusal: config?.lastRefusal ? { code: config.lastRefusal.code, at: config.lastRefusal.at, detail: config.lastRefusal.detail } : null,
        },
        hardware,
        nodeRed: deps.info.nodeRed?.() ?? null,
        recentErrors: recentErrors(alerts, hardware),
      };
    },

    async testPrint() {
      const staff = authorise('a test print');
      const described = deps.info.hardware();
      const receipt = testPageReceipt({ context: deps.receiptContext(), printer: described.printer, at: new Date(now()) });
      const outcome = await deps.printing.print(receipt);
      // The sign-in that allowed this is audited at the hub; the test page itself is paper only, logged here.
      log.info({ staffId: staff.staffId, role: staff.role, txId: receipt.txId, print: outcome.status, ...(outcome.code ? { code: outcome.code } : {}) }, 'technician test print');
      return outcome;
    },

    stop() {
      deps.link.off('connected', linkMoved);
      deps.link.off('disconnected', linkMoved);
    },
  };
}

function alertMessage(alert: Alert): string {
  const detailCode = typeof alert.detail.code === 'string' ? ` (${alert.detail.code})` : '';
  return `${ALERT_CODES[alert.code]}${detailCode}`;
}

/** The test page: the kiosk's own header and footer, where it stands, when, which printer, and a QR to scan. */
export function testPageReceipt(input: { context: ReceiptContext; printer: { model: string; port: string }; at: Date }): Receipt {
  const { context, printer, at } = input;
  const zh = context.language === 'zh';
  const stamp = at.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14);
  return {
    header: [...context.header],
    footer: [...context.footer],
    store: context.store,
    deviceId: context.deviceId,
    // The QR holds this: scanning it shows the scanner and the printer's QR both work.
    txId: `TEST-${context.deviceId}-${stamp}`,
    at: at.toISOString(),
    cardNumberMasked: '-',
    // Model and port on lines of their own: a port spelt out fits a 58 mm line better alone.
    notice: [zh ? '打印测试页' : 'PRINTER TEST PAGE', `${zh ? '打印机' : 'Printer'}: ${printer.model}`, printer.port],
    lines: [],
    payments: [],
    ruleTrace: [],
    paperWidthMm: context.paperWidthMm,
    language: context.language,
  };
}
