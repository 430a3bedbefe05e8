/**
 * The one set of envelope limits for everything that travels over MQTT. Every limit sits well under the
 * brokers' packet limit, so a message the kiosk or the hub is willing to make is always one the broker will
 * carry: a broker that drops a connection for an oversize packet would make the sender resend it forever.
 *
 * - The kiosk checks MAX_TX_BYTES before it appends (the API answers 413 and nothing is queued).
 * - The hub reads and records any transaction up to MAX_MQTT_PACKET_BYTES, refusing one over MAX_TX_BYTES as
 *   TX_TOO_LARGE under its id and seq, so even an oversize entry left in an older kiosk's outbox closes.
 * - The embedded broker closes a connection whose packet announces more than MAX_MQTT_PACKET_BYTES, before
 *   reading it; Mosquitto is configured with the same `max_packet_size` (docs/OPERATIONS.md).
 */

/** The broker's packet limit (embedded guard and the documented Mosquitto `max_packet_size`). */
export const MAX_MQTT_PACKET_BYTES = 256 * 1024;

/** Largest transaction payload a kiosk may make and the hub applies: a 200-line CJK basket fits. */
export const MAX_TX_BYTES = 64 * 1024;

/** Largest look-up request (a quote carries a basket). */
export const MAX_LOOKUP_REQUEST_BYTES = 64 * 1024;

/** Largest look-up response the hub sends; a bigger answer is refused with LOOKUP_RESPONSE_TOO_LARGE. */
export const MAX_LOOKUP_RESPONSE_BYTES = 192 * 1024;

/** Results of one commit for one kiosk travel in messages of at most this size (split when bigger). */
export const MAX_RESULT_MESSAGE_BYTES = 64 * 1024;

/** The retained state report a kiosk publishes. */
export const MAX_STATE_REPORT_BYTES = 32 * 1024;

/**
 * The biggest payload the format-1 transaction schema could produce (200 lines of 64-character strings that
 * JSON escapes to 6 bytes each): an older kiosk's outbox can hold nothing bigger, and it fits the packet
 * limit, so every such entry reaches the hub and is answered. A test keeps this true.
 */
export const FORMAT_1_WORST_CASE_BYTES = 200 * 1024;
