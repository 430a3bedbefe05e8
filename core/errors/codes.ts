/**
 * Every error a user, a device or an operator can meet has a stable code. Codes are part of the wire
 * protocol (tx/result, look-up responses, HTTP APIs): add new ones, never rename.
 */
export const ERROR_CODES = {
  // wire and validation
  TX_MALFORMED: 'payload is not a transaction envelope (not JSON, or no id/device/seq)',
  TX_TOO_LARGE: 'payload exceeds the maximum transaction size',
  TX_INVALID: 'transaction body does not match its schema',
  TX_UNKNOWN_KIND: 'transaction kind is not known to this hub',
  TX_DEVICE_MISMATCH: 'transaction names a different device than the topic it came on',
  TX_ID_CONFLICT: 'this transaction id was already used with different content',
  TX_OUT_OF_ORDER: 'transaction sequence skips ahead; earlier transactions of this device are missing',
  TX_SEQ_REUSED: 'this device sequence number was already used by another transaction',
  TX_NOT_ALLOWED_FROM_DEVICE: 'this transaction kind is not accepted from this device (e.g. manual bonuses only from HQ)',
  TX_FORMAT_UNSUPPORTED: 'the transaction format version is not one this hub reads',
  TX_EPOCH_CLOSED: 'this sequence epoch of the device was closed after another sender took one of its seqs: send in a new epoch',
  IDEMPOTENCY_KEY_INVALID: 'Idempotency-Key must be 1–128 printable ASCII characters',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key was already used for a different request',
  LOOKUP_RESPONSE_TOO_LARGE: 'the answer to this look-up is larger than a message may be',
  REQUEST_MALFORMED: 'look-up request is not valid',
  // money
  MONEY_NOT_INTEGER: 'money and points must be integers',
  MONEY_BAD_RATE: 'a rate must have a positive denominator',
  MONEY_OVERFLOW: 'amount out of range',
  // cards and members
  CARD_UNKNOWN: 'no card with this UID',
  CARD_LOST: 'card is reported lost',
  CARD_FROZEN: 'card is frozen',
  CARD_CANCELLED: 'card is cancelled',
  CARD_EXPIRED: 'card is outside its validity period',
  CARD_ALREADY_EXISTS: 'a card with this UID already exists',
  CARD_BAD_STATE: 'card state does not allow this change',
  MEMBER_UNKNOWN: 'no such member',
  MEMBER_PHONE_TAKEN: 'a member with this phone number is already registered',
  REFERRER_UNKNOWN: 'no member matches the referrer given',
  // spending
  INSUFFICIENT_STORED_VALUE: 'stored value (with credit limit) does not cover the payment',
  INSUFFICIENT_POINTS: 'not enough points',
  PAYMENT_MISMATCH: 'payments do not add up to the basket total',
  GIFT_UNKNOWN: 'no such gift',
  GIFT_OUT_OF_STOCK: 'gift out of stock',
  REFUND_UNKNOWN_PURCHASE: 'refund names a purchase that does not exist for this member',
  REFUND_BAD_LINES: 'refund names lines that are not in the purchase or were already refunded',
  AMOUNT_NOT_POSITIVE: 'amount must be positive',
  // staff
  STAFF_UNAUTHORIZED: 'staff card or PIN not accepted',
  // rules
  RULES_INVALID: 'rules bundle does not match its schema',
  POINTS_PAYMENT_OVER_SHARE: 'points may pay only a limited share of the bill',
  POINTS_PAYMENT_UNDER_MINIMUM: 'points payment is below the minimum',
  PUNCH_CARD_EXHAUSTED: 'no visits left on this count card',
  PUNCH_CARD_UNKNOWN: 'the member has no count card or time card for this service',
  PAID_UPGRADE_UNKNOWN: 'no paid upgrade to that tier',
  MANUAL_BONUS_REFUSED: 'manual bonus refused (reason missing or over the limit)',
  RULES_DISAGREEMENT: 'the kiosk computed a different result than the hub for the same rules version',
  // HQ sweeps (points expiry, tier reviews), applied as HQ transactions
  POINTS_EXPIRY_NOTHING_DUE: 'no points lot of this member is due to expire any more (an earlier sweep took them)',
  TIER_REVIEW_STALE: 'the tier of this member changed after this tier review was planned',
  // hardware drivers (reported in DriverHealth.lastError and the device's state)
  DRIVER_PORT_NOT_FOUND: 'no serial port matches the configured stable name (by-id path or USB vendor/product)',
  DRIVER_PORT_OPEN_FAILED: 'the serial port exists but could not be opened',
  DRIVER_PORT_LOST: 'the serial port or reader disappeared while in use',
  DRIVER_FRAME_REJECTED: 'a reader sent bytes that are not a valid frame (garbage, truncated, bad checksum)',
  DRIVER_PCSC_UNAVAILABLE: 'the PC/SC service (pcscd) or the nfc-pcsc addon is not available',
  DRIVER_PCSC_READER_ERROR: 'a PC/SC reader reported an error while reading a card',
  DRIVER_PRINTER_UNREACHABLE: 'the receipt printer cannot be reached (connection refused, closed or timed out)',
  DRIVER_PRINTER_STATUS_TIMEOUT: 'the receipt printer did not answer a real-time status request in time',
  DRIVER_PRINTER_PAPER_OUT: 'the receipt printer is out of paper',
  DRIVER_PRINTER_COVER_OPEN: 'the receipt printer cover is open',
  DRIVER_PRINT_QUEUE_FULL: 'the print queue is full; the oldest job was dropped',
  DRIVER_STOPPED: 'the driver was stopped before the operation finished',
  // brokers (logged by the hub; the embedded broker closes the connection)
  MQTT_PACKET_TOO_LARGE: 'an MQTT packet announced more than the broker packet limit; the connection was closed',
  MQTT_PACKET_MALFORMED: 'an MQTT packet has a malformed remaining length; the connection was closed',
  BROKER_UNREACHABLE: 'the MQTT broker cannot be reached yet; retrying with backoff',
  BROKER_AUTH_REFUSED: 'the MQTT broker refused the credentials; retrying with backoff',
  BROKER_CONNECT_REFUSED: 'the MQTT broker refused the connection; retrying with backoff',
  BROKER_CONNECTION_LOST: 'the connection to the MQTT broker was lost; reconnecting',
  INTERNAL: 'internal error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
