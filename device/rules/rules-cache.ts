/**
 * The rules bundle this kiosk prices and explains baskets with. It survives restarts in one JSON file, is
 * replaced only by a valid bundle with a higher version (written to a temporary file and renamed, so a crash
 * never leaves half a bundle), and its version is what the kiosk names on every transaction, so the hub
 * recomputes with the same rules.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { parseRulesBundle } from '../../core/rules/parse.ts';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';

export interface RulesCache {
  bundle(): RulesBundle | null;
  /** 0 while the kiosk holds no bundle: the hub then applies its latest. */
  version(): number;
  /** Asks the hub for its latest bundle and keeps it when newer; resolves whether the bundle changed. */
  refresh(lookup: (req: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>, timeoutMs?: number): Promise<boolean>;
}

export function openRulesCache(path: string, logger: Logger): RulesCache {
  let current: RulesBundle | null = null;
  if (existsSync(path)) {
    try {
      current = parseRulesBundle(JSON.parse(readFileSync(path, 'utf8')));
    } catch (error) {
      logger.error({ code: 'RULES_INVALID' satisfies ErrorCode, err: error, path }, 'stored rules bundle is unreadable; waiting for the hub to send one');
    }
  }
  return {
    bundle: () => current,
    version: () => current?.version ?? 0,
    async refresh(lookup, timeoutMs = 3_000) {
      const response = await lookup({ op: 'rules.latest' }, timeoutMs);
      if (!response || !response.ok || !('rules' in response)) return false;
      let bundle: RulesBundle;
      try {
        bundle = parseRulesBundle(response.rules);
      } catch (error) {
        logger.error({ code: 'RULES_INVALID' satisfies ErrorCode, err: error }, 'the hub sent a rules bundle that does not validate; keeping the one held');
        return false;
      }
      if (current && bundle.version <= current.version) return false;
      const temporary = `${path}.tmp`;
      writeFileSync(temporary, JSON.stringify(bundle));
      renameSync(temporary, path);
      current = bundle;
      logger.info({ version: bundle.version }, 'rules bundle updated');
      return true;
    },
  };
}
