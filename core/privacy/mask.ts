/**
 * Card UIDs and phone numbers identify people: logs and screens show only their last digits.
 * The pino redaction paths below are used by every process's root logger.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

export function maskCardUid(uid: string): string {
  if (uid.length <= 4) return '*'.repeat(uid.length);
  return `${'*'.repeat(uid.length - 4)}${uid.slice(-4)}`;
}

/**
 * pino's censor: keeps the last four characters of a string (enough to tell cards apart in a support call),
 * hides anything else entirely.
 */
export function censorLogValue(value: unknown, path: readonly string[] = []): string {
  // A secret shows nothing at all: four characters of a password or key are four fewer to guess.
  if (SECRET_FIELDS.has(path.at(-1) ?? '')) return '[redacted]';
  return typeof value === 'string' ? maskCardUid(value) : '[redacted]';
}

/** Fields that hold a secret (MQTT passwords, enrolment answers, private keys): never logged in any part. */
const SECRET_FIELDS = new Set(['password', 'mqttPassword', 'mqttSecret', 'privateKeyPem', 'hubSecret']);

/** Field names that hold a card UID or a phone anywhere in a logged object. */
export const REDACTED_LOG_PATHS = [
  'cardUid', '*.cardUid', '*.*.cardUid', 'newCardUid', '*.newCardUid', 'staffCardUid', '*.staffCardUid',
  'uid', '*.uid', 'phone', '*.phone', '*.*.phone', 'pin', '*.pin',
  ...[...SECRET_FIELDS].flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];
