/**
 * An idle page (no card, no session) must not keep what a person typed for the next one: after a while without a
 * touch it goes back to the idle prompt by itself. The kiosk's own session timeouts do not cover these pages,
 * since nothing is in a session.
 */
import { onBeforeUnmount, onMounted } from 'vue';

export const IDLE_PAGE_TIMEOUT_MS = 90_000;

export function useIdlePageTimeout(onTimeout: () => void, ms = IDLE_PAGE_TIMEOUT_MS): void {
  let timer: number | undefined;
  const restart = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(onTimeout, ms);
  };
  onMounted(() => {
    restart();
    window.addEventListener('pointerdown', restart, { passive: true });
  });
  onBeforeUnmount(() => {
    window.clearTimeout(timer);
    window.removeEventListener('pointerdown', restart);
  });
}
