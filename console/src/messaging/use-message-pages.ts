/**
 * The message record a page at a time: the first page through the console's loader (useLoaded: again when the
 * filter changes, latest answer wins), then "load more" appends the page `before` the last one the hub named
 * (its `next`). A new first page drops the pages appended to the old one. `ask` is the hub's call, or a page's
 * wrapper of it (one that puts a refusal in the page's own words).
 */
import { computed, ref, watch, type WatchSource } from 'vue';
import { useAction } from '../components/use-action.ts';
import { useLoaded } from '../components/use-loaded.ts';
import { messagingApi, type MessagePage, type MessageQuery, type OutboundMessage } from './messaging-api.ts';

export interface MessagePagesOptions {
  /** The filter in force (read when a page is asked for). */
  filter: () => { memberId?: string | undefined };
  pageSize: number;
  /** What reloads the first page when it changes (the applied filter, the member shown). */
  sources: WatchSource[];
  ask?: (q: MessageQuery) => Promise<MessagePage>;
}

export function useMessagePages(options: MessagePagesOptions) {
  const ask = options.ask ?? messagingApi.messages;
  const loaded = useLoaded(() => ask({ ...options.filter(), limit: options.pageSize }), options.sources);
  const more = ref<OutboundMessage[]>([]);
  const next = ref<string | null>(null);
  watch(loaded.data, (page) => {
    more.value = [];
    next.value = page?.next ?? null;
  });
  const { busy: loadingMore, run } = useAction();

  async function loadMore(): Promise<void> {
    const before = next.value;
    const startedOn = loaded.data.value;
    if (!before || !startedOn) return;
    await run(async () => {
      const page = await ask({ ...options.filter(), limit: options.pageSize, before });
      // A new first page arrived meanwhile (another filter): this page belongs to the old one.
      if (loaded.data.value !== startedOn) return;
      more.value = [...more.value, ...page.messages];
      next.value = page.next;
    });
  }

  const items = computed(() => (loaded.data.value ? [...loaded.data.value.messages, ...more.value] : []));
  return { loaded: loaded.data, error: loaded.error, items, next, loadingMore, loadMore, reload: loaded.reload };
}
