/**
 * A value loaded from the hub for a page or a report: loaded at once and again whenever its sources change (the
 * applied filter, the page, a report's own options) or when asked (after a save), with the latest answer winning
 * when requests overlap (a quick second query must not be overwritten by a slow first one). A failed load keeps
 * the last answer and says why in `error`.
 */
import { ref, watch, type Ref, type WatchSource } from 'vue';
import { errorText } from './error-text.ts';

export interface Loaded<T> {
  /** The latest answer; null until the first one arrives. */
  data: Ref<T | null>;
  /** A load is on its way. */
  loading: Ref<boolean>;
  /** Why the latest load failed, or null. */
  error: Ref<string | null>;
  reload: () => Promise<void>;
}

export function useLoaded<T>(load: () => Promise<T>, sources: WatchSource[] = []): Loaded<T> {
  const data = ref<T | null>(null) as Ref<T | null>;
  const loading = ref(false);
  const error = ref<string | null>(null);
  let latest = 0;
  async function reload() {
    const mine = ++latest;
    loading.value = true;
    error.value = null;
    try {
      const answer = await load();
      if (mine === latest) data.value = answer;
    } catch (e) {
      if (mine === latest) error.value = errorText(e);
    } finally {
      if (mine === latest) loading.value = false;
    }
  }
  if (sources.length === 0) void reload();
  else watch(sources, () => void reload(), { deep: true, immediate: true });
  return { data, loading, error, reload };
}
