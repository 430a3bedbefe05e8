/**
 * Who the listed messages went to, by name: a member's name from the member search (asked once per member id
 * shown, in the caller's scope), a store's from GET /api/stores (for the store-manager alerts). The message
 * record itself names ids only (hub/http/messaging-routes.ts); an id the hub does not name is shown as it is.
 */
import { reactive, watch, type Ref } from 'vue';
import { api } from '../api.ts';
import { orgApi } from '../org/api.ts';
import type { OutboundMessage } from './messaging-api.ts';

export interface RecipientNames {
  /** The member's name, or null while not (or never) known. */
  member(memberId: string): string | null;
  /** The store's name, or its id. */
  store(storeId: string): string;
}

export function useRecipientNames(messages: Ref<OutboundMessage[]>): RecipientNames {
  const members = reactive(new Map<string, string>());
  const stores = reactive(new Map<string, string>());
  const asked = new Set<string>();

  void orgApi
    .stores()
    .then(({ stores: list }) => {
      for (const s of list) stores.set(s.storeId, s.name);
    })
    .catch(() => undefined);

  async function nameMembers(list: readonly OutboundMessage[]): Promise<void> {
    const ids = [...new Set(list.flatMap((m) => (m.recipient.kind === 'member' ? [m.recipient.memberId] : [])))].filter((id) => !asked.has(id));
    for (const id of ids) asked.add(id);
    await Promise.all(
      ids.map(async (id) => {
        try {
          // The search by member id may match more than the one (a prefix): only the exact id names it.
          const hit = (await api.searchMembers(id, 'member')).members.find((h) => h.memberId === id);
          if (hit) members.set(id, hit.name);
        } catch {
          // The id alone is shown.
        }
      }),
    );
  }
  watch(messages, (list) => void nameMembers(list), { immediate: true });

  return { member: (id) => members.get(id) ?? null, store: (id) => stores.get(id) ?? id };
}
