import { describe, expect, it } from 'vitest';
import { serviceNames } from './service-names.ts';

describe('count-card service names', () => {
  it('names each service by the configured item that sells its card, once, and leaves the others out', () => {
    const bundle = {
      cards: [
        { sku: 'WASH10', serviceId: 'car-wash', punches: 10 },
        { sku: 'WASH20', serviceId: 'car-wash', punches: 20 },
        { sku: 'GYM-Y', serviceId: 'gym', validDays: 365 },
      ],
    };
    const items = [
      { sku: 'WASH10', category: 'service', priceCents: 19_900, name: { 'zh-CN': '洗车十次卡', en: 'Car wash ×10' } },
      { sku: 'LATTE', category: 'drinks', priceCents: 2_800, name: { 'zh-CN': '拿铁咖啡' } },
    ];
    expect(serviceNames(bundle, items)).toEqual([{ serviceId: 'car-wash', name: { 'zh-CN': '洗车十次卡', en: 'Car wash ×10' } }]);
    expect(serviceNames(null, items)).toEqual([]);
  });
});
