/**
 * Receipts done properly, end to end: a real hub (fleet, SQLite ledger, signed configuration) and a kiosk enrolled
 * the way a technician enrols one (a one-time code, provisioning over HTTPS: its own Ed25519 key in its data
 * directory), printing in Chinese on 58 mm paper to an ESC/POS printer on TCP (drivers/testing's fake printer
 * decodes every byte). A gold member buys milk at a member price with a tier discount, paying with points and
 * stored value; the bytes read back name the store, the items by the catalogue, the local time with its zone,
 * totals that add up, Chinese rule lines, and a QR code the kiosk's public key verifies — and the hub too. HQ
 * then changes the store's profile and the kiosk's state shows it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseReceiptQr, verifyReceiptQr } from '../../core/receipt/receipt-qr.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { DEVICE_PUBLIC_KEY_FILE } from '../../device/provisioning/stored-provisioning.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { qrPayload } from '../../drivers/testing/escpos-decoder.ts';
import { FakeTcpPrinter } from '../../drivers/testing/fake-printer.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { hubHttps } from '../../hub/testing/hub-https.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { publishConfig } from '../support/hub-config.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { tapMember } from '../support/kiosk-api.ts';
import { provisionTestKiosk } from '../support/provision-test-kiosk.ts';

const DEVICE_ID = 'kiosk-e2e-receipt';
const MILK = { sku: 'MILK', category: 'dairy', qty: 2, unitPriceCents: 1_290 };
const BREAD = { sku: 'BREAD', category: 'bakery', qty: 1, unitPriceCents: 850 };

interface KioskState {
  connected: boolean;
  config: { snapshotVersion: number | null; items: { sku: string }[] };
  store?: { storeId: string; name: string; address: string; phone: string; timezone: string };
}

async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** "2026-12-01 21:05:09" in the zone, as the receipt prints it. */
function localTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** "12.34" / "-5.00" at the end of a printed line, as cents. */
function centsAtEnd(line: string): number {
  const match = /(-?)(\d+)\.(\d\d)$/.exec(line.trim());
  if (!match) throw new Error(`no amount at the end of '${line}'`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 100 + Number(match[3]));
}

describe('a Chinese receipt with a verifiable QR code (real hub, enrolled kiosk, ESC/POS bytes)', () => {
  const temp = makeTempDir('mk-e2e-receipt-');
  const kioskDir = join(temp.dir, 'kiosk');
  let env: TestHub;
  let device: Device;
  let printer: FakeTcpPrinter;
  let apiUrl: string;
  let adminToken: string;
  const state = () => getJson<KioskState>(`${apiUrl}/state`);

  beforeAll(async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    adminToken = (await hubHttps(env, 'POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } })).body.token as string;
    const named = await hubHttps(env, 'PATCH', `/api/stores/${DEMO_STORE_ID}`, { token: adminToken, body: { name: '星河便利 静安店', address: '上海市静安区南京西路1号', phone: '021-6288 0000' } });
    expect(named.status).toBe(200);
    // The store's configuration: its catalogue (milk has a name; the bread is not in it), HQ's texts, a member price
    // for milk and 10% off for gold members, over the chain's default rules (1 point a yuan, gold ×1.5).
    await publishConfig(env, `store:${DEMO_STORE_ID}`, {
      items: [{ sku: 'MILK', category: 'dairy', priceCents: 1_290, name: { 'zh-CN': '有机牛奶 1L', en: 'Organic milk 1L' } }],
      receipt: { header: [{ 'zh-CN': '会员自助服务', en: 'Member self-service' }], footer: [{ 'zh-CN': '谢谢惠顾', en: 'Thank you' }] },
      rules: { rules: [{ kind: 'member_price', id: 'milk-member', prices: { MILK: 1_090 } }, { kind: 'discount', id: 'gold-10', percentOffByTier: { gold: '10' } }] },
    });
    printer = new FakeTcpPrinter();
    await printer.listen();
    const provisioned = await provisionTestKiosk({ hubDataDir: env.dataDir, httpsUrl: env.httpsUrl!, deviceId: DEVICE_ID, kioskDir });
    device = createDevice({
      demo: true,
      deviceId: DEVICE_ID,
      storeId: DEMO_STORE_ID,
      hubUrl: env.brokerTlsUrl!,
      mqtt: { username: provisioned.mqttUsername, password: provisioned.mqttPassword, caPem: provisioned.caPem, ...(provisioned.hqRootPublicKeyPem ? { hqRootPublicKeyPem: provisioned.hqRootPublicKeyPem } : {}) },
      dataDir: kioskDir,
      httpPort: 0,
      logLevel: 'silent',
      hardware: { reader: { kind: 'simulated' }, printer: { kind: 'tcp', host: '127.0.0.1', port: printer.port }, paperWidthMm: 58, language: 'zh' },
      tuning: { profileRefreshMs: 200 },
    });
    ({ apiUrl } = await device.start());
    await until(state, (s) => s.connected && s.config.items.some((i) => i.sku === 'MILK') && s.store?.name === '星河便利 静安店', 'the kiosk never got its store’s configuration and profile');
  }, 60_000);

  afterAll(async () => {
    await device?.stop();
    await printer?.close();
    const audit = await env?.hub.store.audit();
    await env?.dispose();
    temp.cleanup();
    expect(audit).toEqual([]);
  });

  it('prints names from the catalogue, local time with its zone, totals that add up, Chinese rule lines and a signed QR code', async () => {
    await tapMember(apiUrl, DEMO_CARDS.gold);
    const quoted = await postJson<{ available: boolean; quote: { subtotalCents: number; discountCents: number; totalCents: number } }>(`${apiUrl}/quote`, { lines: [MILK, BREAD] });
    // 2 × 10.90 member price, then gold 10% off everything: 19.62 + 7.65.
    expect(quoted.body.quote).toMatchObject({ subtotalCents: 3_430, totalCents: 2_727 });
    const bought = await postJson<{ id: string; status: string }>(`${apiUrl}/tx/purchase`, { lines: [MILK, BREAD], payments: [{ method: 'points', points: 500 }, { method: 'stored_value', amountCents: 2_227 }] });
    expect(bought.body.status).toBe('applied');
    await printer.waitForCut(1, 15_000);

    const lines = printer.decoder.lines();
    const text = lines.map((l) => l.text);
    expect(lines.every((l) => l.chinese)).toBe(true);
    // The store heads the receipt, then HQ's line; no placeholder, SKU or English word of ours anywhere.
    expect(lines[0]).toMatchObject({ text: '星河便利 静安店', bold: true, tall: true });
    expect(text.slice(1, 4)).toEqual(['上海市静安区南京西路1号', '电话 021-6288 0000', '会员自助服务']);
    for (const word of ['memberkiosk', 'store-001', 'MILK', 'Thank you', 'pt/yuan', 'pts', 'TOTAL']) expect(text.join('\n')).not.toContain(word);
    expect(text).toContain('有机牛奶 1L');
    expect(text).toContain('BREAD'); // not in the catalogue: its SKU, the one fallback
    expect(text).toContain('谢谢惠顾');

    // The time the ledger dated the sale, in Shanghai, with the zone named.
    const record = await env.hub.store.receipts.transactionRecord(bought.body.id);
    const timeLine = text.find((t) => t.startsWith('时间'))!;
    expect(timeLine.endsWith(localTime(record!.at!, 'Asia/Shanghai'))).toBe(true);
    expect(text[text.indexOf(timeLine) + 1]?.trim()).toBe('北京时间 (UTC+8)');

    // Lines − discounts = total = tenders, and the total is what the ledger charged.
    const at = (prefix: string) => text.findIndex((t) => t.startsWith(prefix));
    const subtotal = centsAtEnd(text[at('小计')]!);
    const discounts = text.slice(at('小计') + 1, at('合计')).map(centsAtEnd);
    const total = centsAtEnd(text[at('合计')]!);
    const tenders = text.slice(at('支付') + 1, at('支付') + 1 + text.slice(at('支付') + 1).findIndex((t) => t.startsWith('---'))).map(centsAtEnd);
    const lineTotals = text.filter((t) => /^ {2}\d+ x /.test(t)).map(centsAtEnd);
    expect(lineTotals).toEqual([2_580, 850]);
    expect(subtotal).toBe(3_430);
    expect(text.slice(at('小计') + 1, at('合计')).map((t) => t.trim().split(/ {2,}/)[0])).toEqual(['会员价', '金卡优惠10%']);
    expect(subtotal + discounts.reduce((a, b) => a + b, 0)).toBe(total);
    expect(tenders.reduce((a, b) => a + b, 0)).toBe(total);
    expect(total).toBe(record!.purchaseTotalCents);
    expect(text.some((t) => t.startsWith('  积分抵扣 500分') && t.endsWith('5.00'))).toBe(true);

    // Why the points: in Chinese, the default base rate included.
    expect(text).toContain('  每元1积分  +22积分');
    expect(text).toContain('  金卡积分×1.5  +11积分');

    // The QR code: signed by this kiosk's own key, stating this sale's total, and genuine at the hub.
    const qr = qrPayload(printer.decoder.events)!;
    const parsed = parseReceiptQr(qr);
    expect(verifyReceiptQr(parsed, readFileSync(join(kioskDir, DEVICE_PUBLIC_KEY_FILE), 'utf8'))).toBe(true);
    expect(parsed.claim).toMatchObject({ txId: bought.body.id, deviceId: DEVICE_ID, storeId: DEMO_STORE_ID, totalCents: total, cardMasked: '**********E5F6' });
    expect(lines.find((l) => l.text === '扫码验证小票真伪')).toMatchObject({ align: 1 });
    const verdict = await hubHttps(env, 'POST', '/api/receipts/verify', { token: adminToken, body: { qr } });
    expect(verdict).toMatchObject({ status: 200, body: { genuine: true, ledger: { txId: bought.body.id, kind: 'purchase', status: 'applied', totalCents: total } } });
  });

  it('shows HQ’s change of the store’s profile in the kiosk’s state, and keeps it for when the hub is away', async () => {
    const changed = await hubHttps(env, 'PATCH', `/api/stores/${DEMO_STORE_ID}`, { token: adminToken, body: { phone: '021-6288 9999', timezone: 'Asia/Urumqi' } });
    expect(changed.status).toBe(200);
    const seen = await until(state, (s) => s.store?.timezone === 'Asia/Urumqi', 'the kiosk never heard of the new profile');
    expect(seen.store).toEqual({ storeId: DEMO_STORE_ID, name: '星河便利 静安店', address: '上海市静安区南京西路1号', phone: '021-6288 9999', timezone: 'Asia/Urumqi' });
    // Kept on disk: the kiosk's state shows the profile once it is in memory, and settings.json is written just after.
    const saved = () => (JSON.parse(readFileSync(join(kioskDir, 'settings.json'), 'utf8')) as { storeProfile?: unknown }).storeProfile;
    await vi.waitFor(() => expect(saved()).toEqual(seen.store), { timeout: 5_000, interval: 20 });
  });
});
