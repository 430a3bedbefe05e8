/**
 * Every error a user, a device or an operator can meet has a stable code. Codes are part of the wire
 * protocol (tx/result, look-up responses, HTTP APIs, logs operators filter on): add new ones, never rename.
 *
 * Each code carries its message (for people; may change) and the HTTP status a request refused with it is
 * answered with, by the kiosk's API and the hub's alike (`{error: {code, message}}`, core/errors/error-answer.ts).
 * The status tells a client (the screen, a till integration) whether to fix the request, retry later or give
 * up: a body too big is 413, a reused idempotency key or a card state that forbids the action is 409, what
 * does not exist 404, the rest of what the request got wrong 400, and a hub or kiosk failure 5xx.
 *
 * `kind: 'log'` marks a code that is only logged or reported (driver health, the link's and the broker's
 * logs), never the answer to a request: its status is 500, since one reaching a request would be a defect.
 * `kind: 'page'` marks a code only the kiosk page says (it checked a form, or the kiosk service did not answer).
 * Alerts (core/wire/alerts.ts) are a registry of their own. core/errors/codes.test.ts checks that every code
 * the sources use is here.
 */

/** The statuses an error answer may have. */
export const HTTP_ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503] as const;
export type HttpErrorStatus = (typeof HTTP_ERROR_STATUSES)[number];

export type ErrorCodeSpec =
  | { readonly message: string; readonly http: HttpErrorStatus; readonly kind?: 'page' }
  | { readonly message: string; readonly http: 500; readonly kind: 'log' };

export const ERROR_CODES = {
  // wire and validation
  TX_MALFORMED: { message: 'payload is not a transaction envelope (not JSON, or no id/device/seq)', http: 400 },
  TX_TOO_LARGE: { message: 'payload exceeds the maximum transaction size', http: 413 },
  TX_INVALID: { message: 'transaction body does not match its schema', http: 400 },
  TX_UNKNOWN_KIND: { message: 'transaction kind is not known to this hub', http: 400 },
  TX_DEVICE_MISMATCH: { message: 'transaction names a different device than the topic it came on', http: 400 },
  TX_ID_CONFLICT: { message: 'this transaction id was already used with different content', http: 400 },
  TX_OUT_OF_ORDER: { message: 'transaction sequence skips ahead; earlier transactions of this device are missing', http: 400 },
  TX_DEVICE_BUSY: { message: "another hub worker is applying this kiosk's transactions; applied a moment later (nothing recorded)", http: 500, kind: 'log' },
  TX_SEQ_REUSED: { message: 'this device sequence number was already used by another transaction', http: 400 },
  TX_NOT_ALLOWED_FROM_DEVICE: { message: 'this transaction kind is not accepted from this device (e.g. manual bonuses only from HQ)', http: 400 },
  TX_FORMAT_UNSUPPORTED: { message: 'the transaction format version is not one this hub reads', http: 400 },
  TX_STORE_MISMATCH: { message: 'the transaction names another store than the one this kiosk was enrolled in', http: 403 },
  TX_EPOCH_CLOSED: { message: 'this sequence epoch of the device was closed after another sender took one of its seqs: send in a new epoch', http: 400 },
  IDEMPOTENCY_KEY_INVALID: { message: 'Idempotency-Key must be 1–128 printable ASCII characters', http: 400 },
  IDEMPOTENCY_KEY_REUSED: { message: 'this Idempotency-Key was already used for a different request', http: 409 },
  LOOKUP_RESPONSE_TOO_LARGE: { message: 'the answer to this look-up is larger than a message may be', http: 400 },
  REQUEST_MALFORMED: { message: 'look-up request is not valid', http: 400 },
  HISTORY_CURSOR_INVALID: { message: 'the history page cursor is not one the hub gave (ask for the newest page again)', http: 400 },
  // HTTP APIs (the kiosk's and the hub's)
  BAD_REQUEST: { message: 'the request body or parameters are not valid', http: 400 },
  NOT_FOUND: { message: 'no such route or operation', http: 404 },
  REQUEST_TOO_LARGE: { message: 'the request body exceeds the API body limit', http: 413 },
  REPORT_TIMEOUT: { message: 'the report took longer than the hub allows a report; narrow its period or stores', http: 503 },
  REQUEST_MEDIA_TYPE_UNSUPPORTED: { message: 'the request body has a content type this API does not read (send application/json)', http: 415 },
  TX_NOT_FOUND: { message: 'no transaction with this id or Idempotency-Key on this kiosk', http: 404 },
  // money
  MONEY_NOT_INTEGER: { message: 'money and points must be integers', http: 400 },
  MONEY_BAD_RATE: { message: 'a rate must have a positive denominator', http: 400 },
  MONEY_OVERFLOW: { message: 'amount out of range', http: 400 },
  // cards and members
  CARD_UNKNOWN: { message: 'no card with this UID', http: 404 },
  CARD_LOST: { message: 'card is reported lost', http: 400 },
  CARD_FROZEN: { message: 'card is frozen', http: 400 },
  CARD_CANCELLED: { message: 'card is cancelled', http: 400 },
  CARD_EXPIRED: { message: 'card is outside its validity period', http: 400 },
  CARD_ALREADY_EXISTS: { message: 'a card with this UID already exists', http: 409 },
  CARD_BAD_STATE: { message: 'card state does not allow this change', http: 409 },
  CARD_RETURN_BALANCE_OWED: { message: 'the member owes money (offline shortfall or credit): settle it before the card is returned', http: 409 },
  CARD_TYPE_UNKNOWN: { message: 'the rules define no such card type', http: 400 },
  CARD_LIMIT_EXCEEDED: { message: "the payment is over this card's own limit", http: 409 },
  FEE_MISMATCH: { message: 'the fee named differs from the fee schedule', http: 409 },
  ANNUAL_FEE_NOT_DUE: { message: 'no annual fee is due on this card for that year', http: 409 },
  CREDIT_NOT_OFFERED: { message: 'the rules offer no credit (赊账)', http: 409 },
  CREDIT_LIMIT_EXCEEDED: { message: "the payment is over the member's credit limit", http: 409 },
  CREDIT_REPAY_TOO_MUCH: { message: 'the repayment is more than the member owes on credit', http: 409 },
  CREDIT_CHARGE_INVALID: { message: 'the late fee or interest is not what the credit terms charge', http: 409 },
  MEMBER_UNKNOWN: { message: 'no such member', http: 404 },
  MEMBER_PHONE_TAKEN: { message: 'a member with this phone number is already registered', http: 400 },
  MEMBER_ERASED: { message: "this member's personal data was erased on request: nothing personal is recorded for them again", http: 409 },
  REFERRER_UNKNOWN: { message: 'no member matches the referrer given', http: 400 },
  MEMBER_EXISTS: { message: 'a member with this id already exists (this row of this file was imported already)', http: 409 },
  TIER_UNKNOWN: { message: 'the rules define no such tier', http: 400 },
  MEMBER_IMPORT_FILE_UNREADABLE: { message: 'the file is not a member list this hub reads (CSV in UTF-8 or GBK, or xlsx, with a header row naming at least name, phone, card and store)', http: 400 },
  MEMBER_IMPORT_TOO_LARGE: { message: 'the member file has more rows than one import takes', http: 413 },
  MEMBER_IMPORT_INVALID: { message: 'some rows of the member file are not valid: nothing was imported', http: 400 },
  MEMBER_IMPORT_REPEATED: { message: 'this very file was imported already: nothing was imported again', http: 409 },
  // spending
  INSUFFICIENT_STORED_VALUE: { message: 'stored value (principal and bonus) does not cover the payment', http: 400 },
  INSUFFICIENT_POINTS: { message: 'not enough points', http: 400 },
  PAYMENT_MISMATCH: { message: 'payments do not add up to the basket total', http: 400 },
  GIFT_UNKNOWN: { message: 'no such gift', http: 400 },
  GIFT_OUT_OF_STOCK: { message: 'gift out of stock', http: 400 },
  GIFT_STOCK_NEGATIVE: { message: "the change would take the store's gift stock below zero", http: 409 },
  REFUND_UNKNOWN_PURCHASE: { message: 'refund names a purchase that does not exist for this member', http: 400 },
  REFUND_BAD_LINES: { message: 'refund names lines that are not in the purchase or were already refunded', http: 400 },
  AMOUNT_NOT_POSITIVE: { message: 'amount must be positive', http: 400 },
  // staff
  STAFF_UNAUTHORIZED: { message: 'this staff member may not do this here (role, store or account inactive)', http: 403 },
  STAFF_SESSION_REQUIRED: { message: 'this action needs a signed-in staff member (staff card and PIN on the kiosk, or a login at the hub)', http: 401 },
  STAFF_SESSION_INVALID: { message: 'the staff session named is unknown, ended, or belongs to another staff member or device', http: 401 },
  STAFF_SESSION_EXPIRED: { message: 'the staff session had expired when the transaction was made', http: 401 },
  CARD_IS_STAFF: { message: 'this is a staff card: enter the PIN to sign in as staff', http: 409 },
  MEMBER_PIN_REQUIRED: { message: "this payment needs the member's PIN", http: 401 },
  MEMBER_PIN_WRONG: { message: 'wrong member PIN', http: 401 },
  MEMBER_PIN_LOCKED: { message: "too many wrong PINs: the member's PIN is locked for a while", http: 429 },
  MEMBER_PIN_NOT_SET: { message: 'this member has no PIN yet: set one at the kiosk or ask staff', http: 409 },
  MEMBER_PIN_SET_REFUSED: { message: 'the PIN can be set here only the first time, or by staff', http: 403 },
  STAFF_CARD_UNKNOWN: { message: 'this card is not an active staff card', http: 401 },
  STAFF_PIN_WRONG: { message: 'wrong PIN', http: 401 },
  STAFF_LOCKED: { message: 'too many wrong attempts: this account is locked for a while', http: 429 },
  LOGIN_FAILED: { message: 'login name or password not accepted', http: 401 },
  PASSWORD_WRONG: { message: 'the current password is not right (a new one is set only with it)', http: 403 },
  AUTH_REQUIRED: { message: 'sign in first: this needs a session or an API token', http: 401 },
  AUTH_FORBIDDEN: { message: 'your role or scope does not allow this', http: 403 },
  TENDER_NOT_ALLOWED: { message: 'this tender is not accepted on this kiosk (an unattended kiosk never takes cash)', http: 403 },
  // rules
  RULES_INVALID: { message: 'rules bundle does not match its schema', http: 400 },
  POINTS_PAYMENT_OVER_SHARE: { message: 'points may pay only a limited share of the bill', http: 400 },
  POINTS_PAYMENT_UNDER_MINIMUM: { message: 'points payment is below the minimum', http: 400 },
  POINTS_PAYMENT_UNDER_MIN_BALANCE: { message: 'the member holds fewer points than the minimum balance for paying with points', http: 400 },
  POINTS_PAYMENT_NOT_ALLOWED: { message: 'these rules do not allow paying with points', http: 400 },
  POINTS_PAYMENT_NOT_WHOLE_CENTS: { message: 'the points given are not worth a whole number of cents at the rules’ points per yuan', http: 400 },
  PUNCH_CARD_EXHAUSTED: { message: 'no visits left on this count card', http: 400 },
  PUNCH_CARD_UNKNOWN: { message: 'the member has no count card or time card for this service', http: 400 },
  PAID_UPGRADE_UNKNOWN: { message: 'no paid upgrade to that tier', http: 400 },
  MANUAL_BONUS_REFUSED: { message: 'a manual bonus needs a reason', http: 400 },
  MANUAL_BONUS_OVER_MAX: { message: 'a manual bonus may not be larger than the rules allow', http: 400 },
  MANUAL_BONUS_REASON_NOT_ALLOWED: { message: 'the rules do not list this reason for a manual bonus', http: 400 },
  RULES_DISAGREEMENT: { message: 'the kiosk computed a different result than the hub for the same rules version', http: 400 },
  // HQ sweeps (points expiry, tier reviews), applied as HQ transactions
  POINTS_EXPIRY_NOTHING_DUE: { message: 'no points lot of this member is due to expire any more (an earlier sweep took them)', http: 400 },
  TIER_REVIEW_STALE: { message: 'the tier of this member changed after this tier review was planned', http: 400 },
  // the kiosk's use cases: the screen is not where the request needs it (device/app/kiosk-errors.ts)
  SESSION_NO_CARD: { message: 'no card given and no member on screen', http: 409 },
  SESSION_NO_MEMBER: { message: 'no result of a member on screen to go back from (the session ended, or the card no longer works)', http: 409 },
  REGISTER_NOT_OFFERED: { message: 'no unregistered card on screen, or the hub cannot confirm the card is new', http: 409 },
  CONSENT_REQUIRED: { message: 'a registration needs the new member to agree to the membership terms (consents: terms granted): nothing was queued', http: 400 },
  SIM_DISABLED: { message: 'the simulated card reader exists only in demo mode', http: 404 },
  CARD_NOT_ON_READER: { message: 'the kiosk acts only for the card tapped on its own reader: a request may not name a card', http: 403 },
  HOST_NOT_ALLOWED: { message: 'the Host header names an address this kiosk does not serve', http: 403 },
  SIM_READER_STOPPED: { message: 'the simulated reader is not running', http: 409 },
  // the kiosk's honest state (device/app/hardware-state.ts, device/hardware/printer-sink.ts, device/app/receipt-printing.ts)
  CARD_CHECK_UNAVAILABLE: { message: 'this card is not in the kiosk cache and the hub cannot be reached to check it now: it is not known to be unregistered (try again shortly)', http: 503 },
  RECEIPT_NOT_FOUND: { message: 'no recent receipt of this kiosk with this transaction id (the kiosk keeps its last 50 in memory)', http: 404 },
  // staff actions on the kiosk screen (device/app/new-card-capture.ts, device/app/purchase-lines.ts)
  NEW_CARD_NOT_TAPPED: { message: 'tap the new card on the kiosk reader first (the screen never holds a card UID: the kiosk takes the new card from its reader)', http: 409 },
  PURCHASE_NOT_ON_KIOSK: { message: "this purchase was not made on this kiosk for the member on screen: its lines are not held here (refund it in the HQ console)", http: 404 },
  READER_MISSING: { message: 'the card reader is not there (unplugged, or its port cannot be found or opened)', http: 500, kind: 'log' },
  READER_ERROR: { message: 'the card reader does not work (its driver or the PC/SC service failed)', http: 500, kind: 'log' },
  PRINTER_PAPER_LOW: { message: 'the receipt printer paper roll is nearly used up', http: 500, kind: 'log' },
  PRINTER_PAPER_OUT: { message: 'the receipt printer is out of paper: receipts are not printed (and never printed later)', http: 500, kind: 'log' },
  PRINTER_COVER_OPEN: { message: 'the receipt printer cover is open: receipts are not printed (and never printed later)', http: 500, kind: 'log' },
  PRINTER_OFFLINE: { message: 'the receipt printer is switched off or cannot be reached: receipts are not printed (and never printed later)', http: 500, kind: 'log' },
  PRINTER_ERROR: { message: 'the receipt printer did not take or print the receipt in time: it was withdrawn and will not print later', http: 500, kind: 'log' },
  // the kiosk's look-ups (a catalogue or quote answered `available: false` with the code)
  HUB_UNREACHABLE: { message: 'the hub cannot be reached', http: 503 },
  LOOKUP_RESPONSE_MALFORMED: { message: 'the hub answered a look-up with something else than was asked', http: 502 },
  // the kiosk page (said on the screen; no server answers them)
  KIOSK_UNREACHABLE: { message: 'the kiosk service did not answer the screen', http: 503, kind: 'page' },
  NAME_MISSING: { message: 'the registration form has no name', http: 400, kind: 'page' },
  PHONE_INVALID: { message: 'a phone number on the registration form is not 6 to 20 digits', http: 400, kind: 'page' },
  PIN_MISMATCH: { message: 'the two PINs typed on the screen differ', http: 400, kind: 'page' },
  PIN_INVALID: { message: 'a PIN is 4 to 8 digits', http: 400, kind: 'page' },
  REJECTED: { message: 'the hub refused the transaction without naming a code', http: 400, kind: 'page' },
  // the kiosk's logs
  LOOKUP_FAILED: { message: 'a look-up of the member on the hub failed (no answer, or the link failed)', http: 500, kind: 'log' },
  MEMBER_CACHE_UNREADABLE: { message: 'a member in the kiosk cache does not parse; it is ignored', http: 500, kind: 'log' },
  OUTBOX_RESULT_UNREADABLE: { message: 'a result stored in the outbox does not parse', http: 500, kind: 'log' },
  OUTBOX_WRITE_FAILED: { message: 'the outbox could not record results or move pending transactions to a new epoch', http: 500, kind: 'log' },
  RECEIPT_PRINT_FAILED: { message: 'a receipt was not printed or not queued for the printer', http: 500, kind: 'log' },
  TX_RESULT_MALFORMED: { message: 'the hub sent a tx/result message that does not parse; ignored', http: 500, kind: 'log' },
  TX_RESULT_WITHOUT_ID: { message: 'the hub could not read one of the kiosk transactions (a result without id)', http: 500, kind: 'log' },
  LINK_ERROR: { message: 'the MQTT connection to the hub failed or a subscription was refused', http: 500, kind: 'log' },
  LINK_STALLED: { message: 'no result from the hub for a while; resending from the oldest pending transaction', http: 500, kind: 'log' },
  STATE_REPORT_TOO_LARGE: { message: 'the kiosk state report is over its size limit; not published', http: 500, kind: 'log' },
  // hardware drivers (reported in DriverHealth.lastError and the device's state)
  DRIVER_PORT_NOT_FOUND: { message: 'no serial port matches the configured stable name (by-id path or USB vendor/product)', http: 500, kind: 'log' },
  DRIVER_PORT_OPEN_FAILED: { message: 'the serial port exists but could not be opened', http: 500, kind: 'log' },
  DRIVER_PORT_LOST: { message: 'the serial port or reader disappeared while in use', http: 500, kind: 'log' },
  DRIVER_FRAME_REJECTED: { message: 'a reader sent bytes that are not a valid frame (garbage, truncated, bad checksum)', http: 500, kind: 'log' },
  DRIVER_PCSC_UNAVAILABLE: { message: 'the PC/SC service (pcscd) or the nfc-pcsc addon is not available', http: 500, kind: 'log' },
  DRIVER_PCSC_READER_ERROR: { message: 'a PC/SC reader reported an error while reading a card', http: 500, kind: 'log' },
  DRIVER_PRINTER_UNREACHABLE: { message: 'the receipt printer cannot be reached (connection refused, closed or timed out)', http: 500, kind: 'log' },
  DRIVER_PRINTER_STATUS_TIMEOUT: { message: 'the receipt printer did not answer a real-time status request in time', http: 500, kind: 'log' },
  DRIVER_PRINTER_PAPER_OUT: { message: 'the receipt printer is out of paper', http: 500, kind: 'log' },
  DRIVER_PRINTER_COVER_OPEN: { message: 'the receipt printer cover is open', http: 500, kind: 'log' },
  DRIVER_PRINT_QUEUE_FULL: { message: 'the print queue is full; the oldest job was dropped', http: 500, kind: 'log' },
  DRIVER_STOPPED: { message: 'the driver was stopped before the operation finished', http: 500, kind: 'log' },
  // brokers (logged by the hub; the embedded broker closes the connection)
  MQTT_PACKET_TOO_LARGE: { message: 'an MQTT packet announced more than the broker packet limit; the connection was closed', http: 500, kind: 'log' },
  MQTT_PACKET_MALFORMED: { message: 'an MQTT packet has a malformed remaining length; the connection was closed', http: 500, kind: 'log' },
  BROKER_UNREACHABLE: { message: 'the MQTT broker cannot be reached yet; retrying with backoff', http: 500, kind: 'log' },
  BROKER_AUTH_REFUSED: { message: 'the MQTT broker refused the credentials; retrying with backoff', http: 500, kind: 'log' },
  BROKER_CONNECT_REFUSED: { message: 'the MQTT broker refused the connection; retrying with backoff', http: 500, kind: 'log' },
  BROKER_CONNECTION_LOST: { message: 'the connection to the MQTT broker was lost; reconnecting', http: 500, kind: 'log' },
  // several hub workers (hub/workers/)
  WORKER_NEEDS_POSTGRES: { message: 'hub workers share one ledger: worker mode needs --db postgres://…, not the SQLite ledger', http: 500, kind: 'log' },
  WORKER_NEEDS_EXTERNAL_BROKER: { message: 'hub workers share one broker: worker mode needs --broker (Mosquitto 2 with shared subscriptions), not the embedded one', http: 500, kind: 'log' },
  WORKER_LEADER_LOST: { message: 'this hub worker lost its leader lock (its database session ended): it stopped the scheduled jobs and tries again', http: 500, kind: 'log' },
  // fleet, enrolment and TLS (hub/fleet, hub/pki, device/provisioning)
  FLEET_NOT_OPEN: { message: 'the fleet registry is not open', http: 500, kind: 'log' },
  FLEET_SCHEMA_TOO_NEW: { message: 'fleet.sqlite was written by a newer hub', http: 500, kind: 'log' },
  FLEET_REGION_EXISTS: { message: 'a region with this id already exists', http: 409 },
  FLEET_STORE_EXISTS: { message: 'a store with this id already exists', http: 409 },
  FLEET_UNKNOWN_REGION: { message: 'no region with this id', http: 404 },
  FLEET_UNKNOWN_STORE: { message: 'no store with this id', http: 404 },
  FLEET_UNKNOWN_DEVICE: { message: 'no enrolled device with this id', http: 404 },
  STORE_TIMEZONE_INVALID: { message: 'a store time zone is an IANA zone name such as Asia/Shanghai', http: 400 },
  // receipt verification (core/receipt, hub/receipts): the QR code a kiosk prints, checked by the hub
  RECEIPT_QR_MALFORMED: { message: 'this is not a receipt verification code (MKR1:…)', http: 400 },
  RECEIPT_DEVICE_UNKNOWN: { message: 'the receipt names a kiosk this hub never enrolled', http: 404 },
  RECEIPT_SIGNATURE_INVALID: { message: 'the receipt code is not signed by the kiosk it names: it was altered or made elsewhere', http: 400 },
  RECEIPT_NOT_IN_LEDGER: { message: 'the receipt is genuine but its transaction is not in the ledger (yet): it may still be queued on the kiosk', http: 404 },
  RECEIPT_MISMATCH: { message: 'the receipt is genuine but differs from the ledger’s record of its transaction', http: 409 },
  DEVICE_ID_INVALID: { message: 'a device id is 1–64 of A–Z a–z 0–9 _ - and not "hq"', http: 400 },
  DEVICE_ALREADY_ENROLLED: { message: 'a device with this id is already enrolled (or was, and is revoked)', http: 409 },
  ENROL_TTL_INVALID: { message: 'an enrolment code must live a positive time (e.g. 30m, 24h, 7d)', http: 400 },
  ENROL_MODE_INVALID: { message: 'a kiosk mode is attended or unattended', http: 400 },
  ENROL_CODE_MALFORMED: { message: 'this is not an enrolment code (MK1-…)', http: 400 },
  ENROL_CODE_UNKNOWN: { message: 'no such enrolment code', http: 403 },
  ENROL_CODE_USED: { message: 'this enrolment code was already used', http: 403 },
  ENROL_CODE_EXPIRED: { message: 'this enrolment code has expired', http: 403 },
  ENROL_PUBLIC_KEY_INVALID: { message: 'the kiosk public key is not an Ed25519 public key (SPKI PEM)', http: 400 },
  ENROL_HUB_CA_MISMATCH: { message: 'the hub did not present the CA certificate the enrolment code names: not the right hub', http: 500, kind: 'log' },
  ENROL_HUB_UNREACHABLE: { message: 'the hub could not be reached over TLS for enrolment', http: 500, kind: 'log' },
  ENROL_HUB_REFUSED: { message: 'the hub refused the enrolment', http: 500, kind: 'log' },
  PROVISIONING_MISSING: { message: 'this kiosk is not provisioned: run memberkiosk provision, or give --hub, --id and --store', http: 500, kind: 'log' },
  PROVISIONING_EXISTS: { message: 'this data directory already holds a provisioned kiosk', http: 500, kind: 'log' },
  HQ_KEY_EXISTS: { message: 'an HQ root key already exists there; refusing to overwrite it', http: 500, kind: 'log' },
  HQ_KEY_INVALID: { message: 'the file is not an Ed25519 public key (SPKI PEM)', http: 500, kind: 'log' },
  TLS_CONFIG_INVALID: { message: 'the TLS certificate or key configured for the hub cannot be read or do not match', http: 500, kind: 'log' },
  PLAIN_LISTENER_NOT_LOOPBACK: { message: 'a plain (unencrypted) listener may only bind to loopback; use the TLS listener', http: 500, kind: 'log' },
  MQTT_CLIENT_REFUSED: { message: 'the embedded broker refused a client (anonymous, bad id, unknown, revoked or wrong secret)', http: 500, kind: 'log' },
  MQTT_PUBLISH_REFUSED: { message: 'the embedded broker refused a publish outside the device namespace', http: 500, kind: 'log' },
  MQTT_SUBSCRIBE_REFUSED: { message: 'the embedded broker refused a subscription outside the device topics', http: 500, kind: 'log' },
  BROKER_ACCOUNT_FAILED: { message: 'the external broker did not take the kiosk account; the enrolment was undone (make a new code)', http: 502 },
  DEVICE_REVOKED: { message: 'the device is revoked; it was disconnected and is refused from now on', http: 500, kind: 'log' },
  BROKER_ACCOUNT_SECRET_MISMATCH: { message: "the kiosk credentials given are not the enrolled kiosk's (its MQTT secret does not match the fleet's record)", http: 500, kind: 'log' },
  // the device registry (hub/registry): what the hub makes of each kiosk's retained state and availability
  DEVICE_STATE_MALFORMED: { message: 'a kiosk state report or availability message does not parse; ignored', http: 500, kind: 'log' },
  DEVICE_STATE_TOO_LARGE: { message: 'a kiosk state report is over the size limit; ignored', http: 500, kind: 'log' },
  DEVICE_STATE_MISMATCH: { message: 'a kiosk state report names another device than the topic it came on; ignored', http: 500, kind: 'log' },
  DEVICE_REGISTRY_WRITE_FAILED: { message: 'the device registry could not record kiosk reports; retrying with the next batch', http: 500, kind: 'log' },
  // fleet configuration (core/config): refusals a kiosk reports to the hub, and what HQ's publishing is told
  CONFIG_MALFORMED: { message: 'the configuration set does not have the shape of signed configuration documents', http: 400 },
  CONFIG_NO_TRUST_ROOT: { message: 'this kiosk holds no HQ root key, so it cannot check any configuration', http: 500, kind: 'log' },
  CONFIG_SIGNING_KEY_UNCERTIFIED: { message: 'the signing key is not certified by the HQ root the kiosk trusts', http: 400 },
  CONFIG_SIGNATURE_INVALID: { message: 'a configuration document’s signature does not verify', http: 400 },
  CONFIG_ROLLBACK: { message: 'the configuration is older than the one the kiosk already holds', http: 409 },
  CONFIG_EXPIRED: { message: 'the configuration has expired', http: 409 },
  CONFIG_WRONG_SCOPE: { message: 'the configuration is for another kiosk, store or region', http: 400 },
  CONFIG_INCOMPLETE: { message: 'the snapshot and the scope bundles that came with it do not match', http: 400 },
  CONFIG_INVALID: { message: 'the merged configuration does not validate (its rules, limits or texts)', http: 400 },
  CONFIG_SCOPE_INVALID: { message: 'scope must be global, region:R, store:S or kiosk:K', http: 400 },
  CONFIG_SCOPE_UNKNOWN: { message: 'no such region, store or kiosk in the fleet', http: 404 },
  CONFIG_VERSION_STALE: { message: 'that version of this scope is not newer than the one published', http: 409 },
  SIGNING_KEY_MISSING: { message: 'the hub has no signing key certified by the HQ root: run memberkiosk keys sign-key', http: 503 },
  HQ_ROOT_MISSING: { message: 'the hub has no HQ root public key installed (memberkiosk keys install-public)', http: 500, kind: 'log' },
  HQ_ROOT_MISMATCH: { message: 'that root key is not the HQ root this hub has installed (hq-root.pub), so kiosks would refuse what it certifies', http: 500, kind: 'log' },
  // offline limits (core/config/offline-limits.ts): the kiosk refuses a spend the hub cannot confirm now
  OFFLINE_SNAPSHOT_EXPIRED: { message: 'this kiosk has been away from the hub too long to take stored value or points now; paying by other means still works', http: 409 },
  OFFLINE_TOO_LONG: { message: 'this kiosk has been offline longer than HQ allows for stored value or points payments', http: 409 },
  OFFLINE_CARD_SPENDS: { message: 'this card has made as many offline payments as allowed until the kiosk is back online', http: 409 },
  OFFLINE_CARD_DAY_LIMIT: { message: 'this payment is over what this card may spend today while the kiosk is offline', http: 409 },
  OFFLINE_CARD_POINTS_LIMIT: { message: 'this points payment is over what this card may spend today while the kiosk is offline', http: 409 },
  OFFLINE_KIOSK_EXPOSURE: { message: 'this kiosk has taken as much offline stored value as allowed until it is back online', http: 409 },
  // redemption codes (core/codes/redemption-code.ts) and points draws (core/draws/draw-outcome.ts): decided at the hub only
  HUB_REQUIRED: { message: 'this is decided at the hub only, and the hub cannot be reached now: nothing was queued', http: 503 },
  CODE_MALFORMED: { message: 'not a redemption code: 17 letters and digits (hyphens and spaces may be left out)', http: 400 },
  CODE_CHECK_DIGIT: { message: 'the code has a typo: its check symbol does not match (check each letter and digit)', http: 400 },
  CODE_UNKNOWN: { message: 'no such redemption code: it was never issued (not genuine)', http: 404 },
  CODE_USED: { message: 'this redemption code was already used', http: 409 },
  CODE_EXPIRED: { message: 'this redemption code has expired', http: 409 },
  CODE_VERIFY_RATE_LIMITED: { message: 'too many code checks from here in the last minute: try again shortly', http: 429 },
  CODE_BATCH_EXISTS: { message: 'a code batch with this name already exists', http: 409 },
  DRAW_UNKNOWN: { message: 'no such points draw', http: 404 },
  DRAW_EXISTS: { message: 'a points draw with this id already exists', http: 409 },
  DRAW_NOT_OPEN: { message: 'this points draw has not opened yet', http: 409 },
  DRAW_CLOSED: { message: 'this points draw is closed', http: 409 },
  DRAW_BAD_STATE: { message: 'the points draw is not in a state that allows this (open a draft, close an open draw)', http: 409 },
  // Node-RED (flows/): the runtime, the editor's login, the calls flows make
  NODE_RED_START_FAILED: { message: 'Node-RED could not start', http: 500, kind: 'log' },
  NODE_RED_START_TIMEOUT: { message: 'Node-RED did not become ready in time and was stopped', http: 500, kind: 'log' },
  NODE_RED_OFF: { message: 'Node-RED is not running here (switched off, or restarting)', http: 503 },
  FLOW_EDITOR_REFUSED: { message: 'only a technician of this store or an HQ admin may open the flow editor', http: 403 },
  FLOW_UNKNOWN: { message: 'no shipped flow of that name', http: 404 },
  FLOWS_FILE_UNREADABLE: { message: 'the flows file is not a Node-RED flows file; it was left as it is', http: 500, kind: 'log' },
  FLOW_CALL_UNKNOWN: { message: 'no such call for flows', http: 404 },
  FLOW_CALLS_BUSY: { message: 'too many flow calls at once: try again', http: 429 },
  FLOW_PARAMS_INVALID: { message: "a flow call's parameters are not valid", http: 400 },
  FLOW_ACTOR_INVALID: { message: "the staff account flows act as (actAs) is unknown, inactive, or may not give manual bonuses at HQ (region manager or HQ admin, all stores)", http: 403 },
  FLOW_DEVICE_UNKNOWN: { message: 'no enrolled kiosk with this id, or it is revoked', http: 404 },
  // what a kiosk offers its flows (device/automation), and the hub's commands to one kiosk (core/wire/device-command.ts)
  PRINTER_UNAVAILABLE: { message: 'the receipt printer cannot print now (out of paper, cover open, offline, or it did not print in time): nothing was printed, and it will not print later', http: 503 },
  SERIAL_PORT_UNKNOWN: { message: 'no serial port of that name is configured for flows on this kiosk (nodeRed.serialPorts)', http: 404 },
  SERIAL_WRITE_FAILED: { message: 'the serial port could not be opened or written: the bytes were not (all) sent', http: 503 },
  DEVICE_COMMAND_INVALID: { message: 'a device command is a lower-case name with an args object (show-message: a text of 1–200 characters, 1–60 seconds)', http: 400 },
  HUB_COMMAND_MALFORMED: { message: 'a command from the hub on the kiosk command topic does not parse; it was dropped', http: 500, kind: 'log' },
  // messages from the hub's flows (hub/messaging): SMS to members, the staff webhook to store managers
  MESSAGE_INVALID: { message: 'a message needs a recipient (a member id or a store id), a purpose (service or marketing), a text of 1–500 characters and an idempotency key of 1–128 characters', http: 400 },
  SMS_GATEWAY_FAILED: { message: 'the SMS gateway refused the message or could not be reached: it was not sent', http: 502 },
  STAFF_WEBHOOK_FAILED: { message: 'the staff webhook (group robot) refused the message or could not be reached: it was not sent', http: 502 },
  MESSAGE_OUTCOME_UNKNOWN: { message: 'the gateway did not answer in time, or the connection broke once the message was handed over: it may have gone, so it is never sent again under the same key', http: 502 },
  // backups and restores of a single-node hub's data directory (memberkiosk backup / restore, scripts/backup/)
  BACKUP_SOURCE_MISSING: { message: 'there is no hub ledger (ledger.sqlite) in the data directory to back up', http: 500, kind: 'log' },
  BACKUP_OUT_INVALID: { message: 'the backup cannot be written there: give a new path or an existing directory, outside the data directory', http: 500, kind: 'log' },
  BACKUP_COPY_CORRUPT: { message: 'the copy of a database failed its integrity check; nothing was kept of this backup', http: 500, kind: 'log' },
  BACKUP_MANIFEST_INVALID: { message: 'this is not a complete memberkiosk backup (its manifest.json is missing or unreadable)', http: 500, kind: 'log' },
  BACKUP_FILE_MISMATCH: { message: "a file of the backup is missing or differs from its manifest's size or SHA-256: the backup is damaged", http: 500, kind: 'log' },
  RESTORE_TARGET_NOT_EMPTY: { message: 'the data directory to restore into is not empty: give --force to move what is there aside first', http: 500, kind: 'log' },
  RESTORE_TARGET_IN_USE: { message: 'a process (a running hub?) has a database of the data directory open: stop it before restoring', http: 500, kind: 'log' },
  RESTORE_TARGET_INVALID: { message: 'the data directory to restore into is not a directory, or what is there could not be moved aside', http: 500, kind: 'log' },
  // the same for a hub on PostgreSQL (memberkiosk backup/restore --db postgres://…, scripts/backup/)
  BACKUP_PG_TOOL_FAILED: { message: "PostgreSQL's pg_dump or pg_restore could not be started or failed: nothing was kept (a backup) or the restore's transaction was rolled back", http: 500, kind: 'log' },
  BACKUP_KIND_MISMATCH: { message: 'the backup is of the other kind of hub: a SQLite backup restores without --db, a PostgreSQL one with --db', http: 500, kind: 'log' },
  RESTORE_DATABASE_NOT_EMPTY: { message: 'the PostgreSQL database to restore into holds tables: give a new or empty one, or --force to rename it aside first', http: 500, kind: 'log' },
  RESTORE_DATABASE_IN_USE: { message: 'other sessions (hub workers?) are connected to the PostgreSQL database to restore into: stop them first', http: 500, kind: 'log' },
  // the ledger on PostgreSQL (hub/ledger/postgres/): ported a part at a time; what is not ported says so, never a silent stub
  NOT_IMPLEMENTED_ON_POSTGRES: { message: 'this part of the ledger is not ported to PostgreSQL yet: run the hub on SQLite for it', http: 503 },
  // moving a single-node hub's SQLite ledger to PostgreSQL (memberkiosk migrate, hub/ledger/migrate-to-postgres.ts)
  MIGRATE_TARGET_NOT_EMPTY: { message: 'the PostgreSQL database to migrate into already holds data: give a new, empty database', http: 500, kind: 'log' },
  MIGRATE_SOURCE_AUDIT_FAILED: { message: "the SQLite ledger's journal audit finds differences: nothing was migrated (memberkiosk audit lists them)", http: 500, kind: 'log' },
  MIGRATE_VALUE_UNCONVERTIBLE: { message: 'a SQLite value or a PostgreSQL column type the migration cannot convert without changing it: nothing was migrated', http: 500, kind: 'log' },
  INTERNAL: { message: 'internal error', http: 500 },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The default message of a code. */
export function errorMessage(code: ErrorCode): string {
  return ERROR_CODES[code].message;
}

/** The HTTP status a request refused with this code is answered with. */
export function httpStatusOf(code: ErrorCode): HttpErrorStatus {
  return ERROR_CODES[code].http;
}

/** Whether a string read from the wire or a database is a code this registry knows (a newer hub may send others). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
