/** A recorded message's status, purpose and channel in the console's words, and the colour its status is shown in. */
import { labelOr } from '../i18n.ts';
import type { MessageStatus, OutboundMessage } from './messaging-api.ts';

type TagType = 'success' | 'info' | 'warning' | 'danger' | 'primary';

const STATUS_TAG: Record<MessageStatus, TagType> = {
  sent: 'success',
  sending: 'primary',
  failed: 'danger',
  // Not sent on purpose (the member did not agree): as it should be, so no alarm colour.
  'skipped-no-consent': 'info',
  // Not sent for want of a phone or a configured sender: worth a look.
  'skipped-no-contact': 'warning',
};

export const statusWords = (m: Pick<OutboundMessage, 'status'>) => labelOr('outbound.statuses', m.status);
export const statusTag = (m: Pick<OutboundMessage, 'status'>): TagType => STATUS_TAG[m.status] ?? 'info';
export const purposeWords = (m: Pick<OutboundMessage, 'purpose'>) => labelOr('outbound.purposes', m.purpose);
export const channelWords = (m: Pick<OutboundMessage, 'channel'>) => labelOr('outbound.channels', m.channel);
