import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installShippedFlows, shippedFlowNames } from './install-shipped-flows.ts';

function userDir(): string {
  return mkdtempSync(join(tmpdir(), 'mk-shipped-'));
}

describe('installShippedFlows', () => {
  it('adds a named shipped flow once and keeps a technician’s edit of it on the next start', () => {
    const [name] = shippedFlowNames('kiosk');
    expect(name).toBeDefined();
    const dir = userDir();
    expect(installShippedFlows(dir, 'kiosk', [name!])).toEqual([name]);
    const flows = JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8')) as { id: string; type: string; label?: string }[];
    const tab = flows.find((node) => node.type === 'tab')!;
    expect(tab.id).toBe(`mk-${name}`);
    tab.label = 'edited by a technician';
    writeFileSync(join(dir, 'flows.json'), JSON.stringify(flows));
    expect(installShippedFlows(dir, 'kiosk', [name!])).toEqual([]);
    const again = JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8')) as { type: string; label?: string }[];
    expect(again.filter((node) => node.type === 'tab').map((node) => node.label)).toEqual(['edited by a technician']);
  });

  it('refuses an unknown flow by name, listing the ones there are', () => {
    expect(() => installShippedFlows(userDir(), 'hub', ['no-such-flow'])).toThrow(/FLOW_UNKNOWN|no shipped hub flow named no-such-flow/);
  });

  it('never overwrites a flows file it cannot read', () => {
    const dir = userDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'flows.json'), '{ half a file');
    const [name] = shippedFlowNames('kiosk');
    expect(() => installShippedFlows(dir, 'kiosk', [name!])).toThrow(/not a Node-RED flows file/);
    expect(readFileSync(join(dir, 'flows.json'), 'utf8')).toBe('{ half a file');
  });
});
