// @ts-check
'use strict';
/**
 * Today's year and date as our templates name them ({{year}}, {{date}}), in this machine's time zone: the parent
 * hands its TZ to the child, and the inject node's cron runs in the same zone, so a flow that runs "daily at 09:00"
 * and a key with {{date}} agree on which day it is.
 */

/**
 * @param {Date} [now]
 * @returns {{ year: string; date: string }}
 */
function today(now = new Date()) {
  const year = String(now.getFullYear());
  const month = String(now.getMonth() + 1).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, '0');
  return { year, date: `${year}-${month}-${day}` };
}

module.exports = { today };
