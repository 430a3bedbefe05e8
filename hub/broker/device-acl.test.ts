import { describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { devicePublishAllowed, deviceSubscribeAllowed } from './device-acl.ts';

const t = createTopics();
const a = { deviceId: 'kiosk-a', storeId: 'store-1', regionId: 'kanto' };

describe('device ACL', () => {
  it('lets a kiosk publish only its own tx, requests, state and availability — never results or responses', () => {
    for (const topic of [t.tx('kiosk-a'), t.request('kiosk-a', '01J'), t.state('kiosk-a'), t.availability('kiosk-a')]) expect(devicePublishAllowed(t, a, topic), topic).toBe(true);
    for (const topic of [t.txResult('kiosk-a'), t.response('kiosk-a', '01J'), t.command('kiosk-a'), t.command('kiosk-b'), t.tx('kiosk-b'), t.request('kiosk-b', '1'), t.request('kiosk-a', '1/2'), t.hubAvailability, t.config('global'), 'memberkiosk/v1/devices/kiosk-a/other'])
      expect(devicePublishAllowed(t, a, topic), topic).toBe(false);
  });

  it('lets a kiosk subscribe only to its own results and responses, the hub’s availability and its own config scopes', () => {
    for (const filter of [t.txResult('kiosk-a'), t.response('kiosk-a', '+'), t.command('kiosk-a'), t.hubAvailability, t.config('global'), `${t.config('store/store-1')}/#`, t.config('region/kanto'), t.config('device/kiosk-a')])
      expect(deviceSubscribeAllowed(t, a, filter), filter).toBe(true);
    for (const filter of [t.txResult('kiosk-b'), t.response('kiosk-b', '+'), t.command('kiosk-b'), 'memberkiosk/v1/devices/+/command', `${t.command('kiosk-a')}/#`, t.allTx, t.allRequests, 'memberkiosk/v1/devices/kiosk-a/#', `${t.response('kiosk-a', '#')}`, 'memberkiosk/v1/config/#', 'memberkiosk/v1/config/+', t.config('store/store-2'), t.config('region/kansai'), t.config('device/kiosk-b'), '#', '+/+/+', t.tx('kiosk-a')])
      expect(deviceSubscribeAllowed(t, a, filter), filter).toBe(false);
  });
});
