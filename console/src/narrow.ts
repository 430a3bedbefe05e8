/** Whether the window is phone-narrow (< 768 px): the layout swaps the side menu for a drawer, tables for cards. */
import { onBeforeUnmount, ref, type Ref } from 'vue';

export function useNarrow(): Ref<boolean> {
  const query = window.matchMedia('(max-width: 767px)');
  const narrow = ref(query.matches);
  const update = (event: MediaQueryListEvent) => {
    narrow.value = event.matches;
  };
  query.addEventListener('change', update);
  onBeforeUnmount(() => query.removeEventListener('change', update));
  return narrow;
}
