/**
 * Asks before a step that cannot be taken back (close a draw, deactivate an account, revoke a kiosk, a ledger
 * action): Element Plus's warning box with the page's own button words. Answers true only for the confirm
 * button; cancel, the close button and Escape all answer false.
 */
import { ElMessageBox } from 'element-plus';

export interface WarningWords {
  message: string;
  title: string;
  confirm: string;
  cancel: string;
}

export async function confirmWarning(words: WarningWords): Promise<boolean> {
  return ElMessageBox.confirm(words.message, words.title, { type: 'warning', confirmButtonText: words.confirm, cancelButtonText: words.cancel }).then(
    () => true,
    () => false,
  );
}
