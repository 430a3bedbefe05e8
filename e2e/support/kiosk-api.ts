/**
 * The kiosk API as a member and a clerk use it: the kiosk acts only for the card on its own reader (a body
 * naming a card is refused, CARD_NOT_ON_READER), so a test taps the card on the simulated reader first, then
 * posts the transaction; staff kinds need the staff card tapped and its PIN (a staff session on the kiosk).
 */
import { DEMO_STAFF_CARD, DEMO_STAFF_PIN } from '../../hub/demo/seed-demo-data.ts';
import { postJson } from './http-json.ts';
import type { PurchaseBody } from './purchase.ts';

export interface TapSession {
  name: string;
  code?: string;
  source?: string;
  offline?: boolean;
  member?: { memberId: string; tier: string; balances: Record<string, number> };
}

/** Taps `uid` on the kiosk's simulated reader; resolves with the session once the look-up settled. */
export async function tapCard(apiUrl: string, uid: string): Promise<TapSession> {
  const tap = await postJson<{ session: TapSession }>(`${apiUrl}/sim/tap`, { uid });
  if (tap.status !== 200) throw new Error(`tap ${uid} answered ${tap.status}: ${JSON.stringify(tap.body)}`);
  return tap.body.session;
}

/** Taps the member card and expects the member on screen (from the hub or, offline, from the kiosk's cache). */
export async function tapMember(apiUrl: string, uid: string): Promise<TapSession> {
  const session = await tapCard(apiUrl, uid);
  if (session.name !== 'member') throw new Error(`tap ${uid} did not show a member: ${JSON.stringify(session)}`);
  return session;
}

/** Taps `uid`, then posts the purchase for it (the body names no card). */
export async function buyAs<T = Record<string, unknown>>(apiUrl: string, uid: string, body: PurchaseBody, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  await tapMember(apiUrl, uid);
  return postKiosk<T>(`${apiUrl}/tx/purchase`, body, headers);
}

/** POST with extra headers (an Idempotency-Key). */
export async function postKiosk<T = Record<string, unknown>>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  if (Object.keys(headers).length === 0) return postJson<T>(url, body);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** The demo store manager signs in on the kiosk: staff card on the reader (CARD_IS_STAFF), then the PIN. */
export async function staffSignIn(apiUrl: string, opts: { card?: string; pin?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const session = await tapCard(apiUrl, opts.card ?? DEMO_STAFF_CARD);
  if (session.name !== 'error' || session.code !== 'CARD_IS_STAFF') throw new Error(`the staff card was not recognised: ${JSON.stringify(session)}`);
  const signedIn = await postJson(`${apiUrl}/staff/sign-in`, { pin: opts.pin ?? DEMO_STAFF_PIN });
  if (signedIn.status !== 200) throw new Error(`staff sign-in answered ${signedIn.status}: ${JSON.stringify(signedIn.body)}`);
  return signedIn;
}
