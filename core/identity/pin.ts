/** A PIN, staff's and members' alike: 4 to 8 digits, typed on a kiosk's PIN pad. */
import { z } from 'zod';

export const PIN_PATTERN = /^[0-9]{4,8}$/;
export const pinSchema = z.string().regex(PIN_PATTERN, 'a PIN is 4 to 8 digits');
