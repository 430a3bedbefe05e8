/**
 * Which of the kiosk screen classes the page is on — compact (800×480), regular (1024×600) or portrait
 * (1080×1920) — from the same media queries as style.css, for what CSS cannot decide: how many items or rows a
 * page shows before it pages.
 */
import { onBeforeUnmount, ref, type Ref } from 'vue';

export type ScreenClass = 'compact' | 'regular' | 'portrait';

const PORTRAIT = '(orientation: portrait) and (min-width: 900px)';
const REGULAR = '(min-height: 560px)';

function current(): ScreenClass {
  if (window.matchMedia(PORTRAIT).matches) return 'portrait';
  return window.matchMedia(REGULAR).matches ? 'regular' : 'compact';
}

export function useScreenClass(): Ref<ScreenClass> {
  const screen = ref<ScreenClass>(current());
  const queries = [window.matchMedia(PORTRAIT), window.matchMedia(REGULAR)];
  const update = () => (screen.value = current());
  for (const query of queries) query.addEventListener('change', update);
  onBeforeUnmount(() => {
    for (const query of queries) query.removeEventListener('change', update);
  });
  return screen;
}

/** Pages of a list: `perPage` rows each; the page index kept within range as the list changes. */
export function pageOf<T>(items: readonly T[], page: number, perPage: number): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const at = Math.min(Math.max(0, page), pages - 1);
  return { rows: items.slice(at * perPage, at * perPage + perPage), page: at, pages };
}
