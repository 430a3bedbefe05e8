/**
 * The demo store's signed configuration: what its kiosk sells (a small shop of the kind a chain's kiosk offers,
 * named in zh-CN with English beside) and its receipt's header and footer. Published once, through the hub's one
 * publish path (checked, signed, sent), when the store has no configuration of its own yet — so `npm start`
 * shows a real shop, and a configuration HQ publishes later replaces it like any other.
 */
import type { ConfigContent } from '../../core/config/config-content.ts';
import type { PublishRequest } from '../config/publish-config.ts';
import { DEMO_STORE_ID } from './seed-demo-data.ts';

export const DEMO_STORE_CONFIG: ConfigContent = {
  items: [
    { sku: 'LATTE', category: 'drinks', priceCents: 2800, name: { 'zh-CN': '拿铁咖啡', en: 'Latte' } },
    { sku: 'AMERICANO', category: 'drinks', priceCents: 2200, name: { 'zh-CN': '美式咖啡', en: 'Americano' } },
    { sku: 'WATER', category: 'drinks', priceCents: 300, name: { 'zh-CN': '矿泉水 550ml', en: 'Mineral water 550 ml' } },
    { sku: 'MILK', category: 'dairy', priceCents: 1550, name: { 'zh-CN': '鲜牛奶 1L', en: 'Fresh milk 1 L' } },
    { sku: 'BREAD', category: 'bakery', priceCents: 1200, name: { 'zh-CN': '全麦面包', en: 'Wholemeal bread' } },
    { sku: 'EGGS', category: 'dairy', priceCents: 1680, name: { 'zh-CN': '土鸡蛋 10枚', en: 'Free-range eggs ×10' } },
    { sku: 'APPLE', category: 'fruit', priceCents: 1990, name: { 'zh-CN': '红富士苹果 1kg', en: 'Fuji apples 1 kg' } },
    { sku: 'RICE', category: 'grocery', priceCents: 4990, name: { 'zh-CN': '东北大米 5kg', en: 'Northeast rice 5 kg' } },
  ],
  receipt: {
    header: [{ 'zh-CN': '欢迎光临', en: 'Welcome' }],
    footer: [
      { 'zh-CN': '谢谢惠顾，欢迎再次光临', en: 'Thank you, see you again' },
      { 'zh-CN': '会员服务热线 400-800-0000', en: 'Member hotline 400-800-0000' },
    ],
  },
};

export interface DemoConfigDeps {
  /** The newest bundle of a scope, if any. */
  latestBundle(scope: string): Promise<unknown>;
  publish(request: PublishRequest): Promise<unknown>;
}

/** True when it published the demo store's configuration (the store had none). */
export async function seedDemoConfig(deps: DemoConfigDeps): Promise<boolean> {
  if ((await deps.latestBundle(`store/${DEMO_STORE_ID}`)) !== null) return false;
  await deps.publish({ scope: `store:${DEMO_STORE_ID}`, content: DEMO_STORE_CONFIG, publishedBy: 'hub' });
  return true;
}
