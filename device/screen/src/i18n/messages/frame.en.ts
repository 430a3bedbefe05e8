/** The frame of every page: header status and language, session time-out, shared buttons, paging, in English. */
import type { FRAME_ZH_CN } from './frame.zh-CN.ts';

export const FRAME_EN: Record<keyof typeof FRAME_ZH_CN, string> = {
  'header.title': 'Member kiosk',
  'header.brand': 'Member kiosk',
  'header.kioskRestarting': 'Kiosk service restarting…',
  'header.online': 'Online',
  'header.offline': 'Offline',
  'header.queued': '{n, plural, one {# to send} other {# to send}}',
  'header.readerMissing': 'Card reader not connected',
  'header.readerError': 'Card reader fault',
  'header.printerPaperOut': 'Printer out of paper',
  'header.printerOffline': 'Printer not connected',
  'header.printerPaperLow': 'Receipt paper low',
  'header.language': 'Language',

  'connecting.title': 'Connecting to the kiosk…',

  'session.secondsLeft': '{n} s',
  'session.stillHere': 'Are you still there?',
  'session.endsIn': 'To protect your details, you will be signed out in {n, plural, one {# second} other {# seconds}}.',
  'session.continue': 'Keep going',

  'common.back': 'Back',
  'common.cancel': 'Cancel',
  'common.ok': 'OK',
  'common.confirm': 'Confirm',
  'common.close': 'Close',
  'common.code': 'Code: {code}',
  'common.prevPage': 'Previous',
  'common.nextPage': 'Next',
  'common.pageOf': 'Page {page} of {pages}',
  'common.done': 'Done',
  'common.next': 'Next',
  'common.previous': 'Back',
  'common.pageN': 'Page {page}',
  'common.pages': 'Pages',
};
