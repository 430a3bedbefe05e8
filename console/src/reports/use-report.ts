/**
 * One report's answer on the Reports page: loaded again whenever what it depends on changes (the applied filter,
 * the page, its own options), with the latest answer winning when requests overlap (a quick second query must not
 * be overwritten by a slow first one).
 */
import { ref, watch, type Ref, type WatchSource } from 'vue';
import { ApiError } from '../api.ts';

export function useReport<T>(load: () => Promise<T>, sources: WatchSource[]): { data: Ref<T | null>; loading: Ref<boolean>; error: Ref<string | null>; reload: () => Promise<void> } {
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
      if (mine === latest) error.value = e instanceof ApiError ? e.message : String(e);
    } finally {
      if (mine === latest) loading.value = false;
    }
  }
  watch(sources, () => void reload(), { deep: true, immediate: true });
  return { data, loading, error, reload };
}
