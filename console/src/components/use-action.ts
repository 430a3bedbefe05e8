/**
 * A button's call to the hub (save a dialog, revoke a device): `busy` while it runs, for the button's spinner, and
 * a failure shown as an error message with the hub's coded text, so no page forgets either. `run` answers whether
 * the call went through.
 */
import { ElMessage } from 'element-plus';
import { ref, type Ref } from 'vue';
import { errorText } from './error-text.ts';

export function useAction(): { busy: Ref<boolean>; run: (work: () => Promise<unknown>) => Promise<boolean> } {
  const busy = ref(false);
  async function run(work: () => Promise<unknown>): Promise<boolean> {
    busy.value = true;
    try {
      await work();
      return true;
    } catch (e) {
      ElMessage.error(errorText(e));
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { busy, run };
}
