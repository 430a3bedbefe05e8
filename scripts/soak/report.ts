/**
 * The soak's report: the summary table printed at the end, every check with what it found, and the two rows
 * the soak merges into bench/results.json.
 */
import type { BenchFigure } from '../bench/figure.ts';
import type { CheckResult, EpochSeen } from './check-delivery.ts';

export interface SoakSummary {
  seed: number;
  durationMs: number;
  loadMs: number;
  rate: number;
  tills: number;
  killTarget: number;
  hubKills: number;
  /** Per kiosk id. */
  kioskKills: Record<string, number>;
  brokerRestarts: number;
  requests: number;
  accepted: number;
  applied: number;
  recordedRefusals: Record<string, number>;
  refused: Record<string, number>;
  /** Stored-value spends the kiosks refused offline, past HQ's limits. */
  offlineLimited: Record<string, number>;
  unanswered: number;
  /** Requests cut off at least once and retried with their key. */
  retried: number;
  /** Answers that came back as a replay of the key's first transaction. */
  replayed: number;
  /** Top-ups answered by GET /api/tx/by-key: the kiosk had restarted (a new staff session) since they were posted. */
  recoveredByKey: number;
  /** Taps after which the kiosk did not show the member yet (busy, look-up running): tapped again. */
  tapMisses: number;
  /** Staff sessions on the kiosks: sign-ins that opened one; top-ups made, and postponed while none could be opened (by why). */
  staff: { signIns: number; topUps: number; postponed: number; unavailable: Record<string, number> };
  /** Accepted requests by kind. */
  acceptedByKind: Record<string, number>;
  lost: number;
  doubled: number;
  epochs: EpochSeen[];
  drainMs: number | null;
  /** Alert codes the kiosks and the hub recorded (informative: an epoch move or an unrecorded refusal is told here). */
  alerts: Record<string, number>;
  /** Per process: its warn+ log lines counted by code. */
  logged: Record<string, Record<string, number>>;
  /** Hub kills (broker and kiosk up) after which a kiosk's /api/state showed connected: false within 1.5 s. */
  hubGoneNoticed: { watched: number; noticed: number };
  /** Answer latency of the accepted requests (first attempt to answer), ms. */
  answerMs: { p50: number; p99: number; max: number };
  workDir: string;
  checks: CheckResult[];
}

export function minKioskKills(summary: Pick<SoakSummary, 'kioskKills'>): number {
  const kills = Object.values(summary.kioskKills);
  return kills.length === 0 ? 0 : Math.min(...kills);
}

export function soakPassed(summary: SoakSummary): boolean {
  return summary.checks.every((c) => c.ok);
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record);
  const total = entries.reduce((n, [, v]) => n + v, 0);
  return entries.length === 0 ? '0' : `${total} (${entries.map(([code, n]) => `${code} ${n}`).join(', ')})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

const MAX_DETAIL_LINES = 25;

export function formatSummary(summary: SoakSummary): string {
  const kiosks = Object.entries(summary.kioskKills).map(([id, n]) => `${id} ${n}`).join(', ');
  const epochsByDevice = new Map<string, EpochSeen[]>();
  for (const e of summary.epochs) epochsByDevice.set(e.deviceId, [...(epochsByDevice.get(e.deviceId) ?? []), e]);
  const epochs = [...epochsByDevice].map(([device, list]) => `${device}: ${list.length} (${list.map((e) => `…${e.epoch.slice(-6)} seqs 1–${e.lastSeq}${e.closed ? ' closed' : ''}`).join(', ')})`);
  const rows: [string, string][] = [
    ['kills survived: hub', `${summary.hubKills} (target ≥ ${summary.killTarget})`],
    ['kills survived: kiosk', `${kiosks} (target ≥ ${summary.killTarget} each)`],
    ['broker restarts', `${summary.brokerRestarts}`],
    ['requests made', `${summary.requests} (target pace ${summary.rate}/s over ${summary.tills} tills; ${summary.loadMs > 0 ? (summary.requests / (summary.loadMs / 1000)).toFixed(1) : '?'}/s achieved under the kills)`],
    ['answer latency p50 / p99 / max', `${summary.answerMs.p50} / ${summary.answerMs.p99} / ${summary.answerMs.max} ms (kills included)`],
    ['accepted', `${summary.accepted} (${Object.entries(summary.acceptedByKind).map(([kind, n]) => `${kind} ${n}`).join(', ')})`],
    ['applied', `${summary.applied}`],
    ['recorded refusals (delivered)', counts(summary.recordedRefusals)],
    ['refused (4xx)', counts(summary.refused)],
    ['refused offline by HQ’s limits (409, nothing queued)', counts(summary.offlineLimited)],
    ['unanswered', `${summary.unanswered}`],
    ['cut off and retried with the same key', `${summary.retried}`],
    ['answered as a replay', `${summary.replayed}`],
    ['top-ups found by key after a restart', `${summary.recoveredByKey} (the kiosk's staff session was new, so GET /api/tx/by-key answered instead of a repost)`],
    ['staff sign-ins on the kiosks', `${summary.staff.signIns}; ${summary.staff.postponed} of ${summary.staff.topUps} top-ups postponed while nobody could sign in: ${counts(summary.staff.unavailable)}`],
    ['taps that did not show the member yet', `${summary.tapMisses} (tapped again)`],
    ['lost', `${summary.lost}`],
    ['doubled', `${summary.doubled}`],
    ['epochs seen', epochs.length === 0 ? 'none' : epochs.join('; ')],
    ['kiosk saw the hub go offline', `${summary.hubGoneNoticed.noticed} of ${summary.hubGoneNoticed.watched} times a kiosk watched a hub kill (the hub's last will on hub/availability; not a delivery check)`],
    ['alerts (kiosk + hub)', counts(summary.alerts)],
    ...Object.entries(summary.logged).map(([name, codes]): [string, string] => [`${name} log (warn+)`, counts(codes)]),
    ['drain (connected, outbox 0)', summary.drainMs === null ? 'did not drain' : seconds(summary.drainMs)],
    ['duration', `${seconds(summary.durationMs)} (load ${seconds(summary.loadMs)})`],
    ['seed', `${summary.seed}`],
    ['work dir', summary.workDir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = ['', 'soak summary', '-'.repeat(width + 30), ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), '', 'checks:'];
  for (const c of summary.checks) {
    lines.push(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}`);
    for (const d of c.details.slice(0, MAX_DETAIL_LINES)) lines.push(`          ${d}`);
    if (c.details.length > MAX_DETAIL_LINES) lines.push(`          … ${c.details.length - MAX_DETAIL_LINES} more`);
  }
  lines.push('', soakPassed(summary) ? 'soak PASSED' : 'soak FAILED', '');
  return lines.join('\n');
}

/** The two rows `npm run soak` keeps in bench/results.json (merged by name). */
export function soakBenchRows(summary: SoakSummary): BenchFigure[] {
  const kills = Math.min(summary.hubKills, minKioskKills(summary));
  const lostOrDoubled = summary.lost + summary.doubled;
  const notes = `${seconds(summary.durationMs)} run, ${summary.requests} requests paced at ${summary.rate}/s (${summary.loadMs > 0 ? (summary.requests / (summary.loadMs / 1000)).toFixed(1) : '?'}/s achieved under the kills) over ${summary.tills} tills into ${Object.keys(summary.kioskKills).length} kiosk(s); `
    + `SIGKILLs: hub ${summary.hubKills}, ${Object.entries(summary.kioskKills).map(([id, n]) => `${id} ${n}`).join(', ')}; ${summary.brokerRestarts} Mosquitto restarts; `
    + `${summary.accepted} accepted, ${summary.applied} applied, ${summary.retried} cut off and retried with their Idempotency-Key; `
    + `${summary.epochs.length} epoch(s); checked from the outbox and ledger files (seqs gapless, balances recomputed, audit); seed ${summary.seed}`;
  return [
    {
      name: 'soak kills',
      value: kills,
      unit: 'kills',
      baseline: 20,
      ratio: kills / 20,
      target: '>= 20 kills of each process',
      met: kills >= 20,
      notes,
    },
    {
      name: 'soak lost or doubled',
      value: lostOrDoubled,
      unit: 'transactions',
      baseline: summary.accepted,
      ratio: summary.accepted ? (summary.accepted - lostOrDoubled) / summary.accepted : 0,
      target: '0 lost and 0 doubled',
      met: lostOrDoubled === 0 && summary.accepted > 0,
      notes: `${summary.lost} lost, ${summary.doubled} doubled of ${summary.accepted} accepted; ${summary.checks.filter((c) => !c.ok).length} failed checks. ${notes}`,
    },
  ];
}
