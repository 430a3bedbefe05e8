/**
 * Turns a stream of sightings into taps. Serial readers repeat the UID while a card is held (every 100–500 ms
 * on common modules) and PC/SC readers can flicker at the edge of the field; members must see one tap.
 *
 * - `sighted(uid)` reports whether this sighting starts a new tap. For readers that cannot report removal,
 *   silence longer than `holdGapMs` since the last sighting means the card was taken away.
 * - `absent(uid)` is for readers that do report removal (PC/SC): the removal is confirmed only if the same
 *   card is not seen again within `bounceMs`, so a flicker is neither a removal nor a second tap.
 */
export interface TapDebouncerOptions {
  /** Silence that counts as removal; 0 when the reader reports removal itself. */
  holdGapMs: number;
  /** How long a reported removal waits for the card to come back before it is final. */
  bounceMs: number;
  onRemoved: (uid: string) => void;
  now?: () => number;
}

export class TapDebouncer {
  private heldUid: string | undefined;
  private lastSeenAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: TapDebouncerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Returns true when this sighting is a new tap. */
  sighted(uid: string): boolean {
    this.lastSeenAt = this.now();
    if (this.heldUid === uid) {
      if (this.options.holdGapMs <= 0) this.clearTimer();
      else this.armSilenceTimer();
      return false;
    }
    if (this.heldUid !== undefined) this.remove();
    this.heldUid = uid;
    this.armSilenceTimer();
    return true;
  }

  absent(uid: string): void {
    if (this.heldUid !== uid) return;
    this.clearTimer();
    if (this.options.bounceMs <= 0) return this.remove();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.remove();
    }, this.options.bounceMs);
  }

  /** Forget the held card without a removal event (the reader went away; nothing is known about the card). */
  reset(): void {
    this.clearTimer();
    this.heldUid = undefined;
  }

  private remove(): void {
    const uid = this.heldUid;
    if (uid === undefined) return;
    this.clearTimer();
    this.heldUid = undefined;
    this.options.onRemoved(uid);
  }

  private armSilenceTimer(): void {
    if (this.options.holdGapMs <= 0) return;
    // One timer per held card, re-checked when it fires: re-creating a timer on every repeat would cost more than the tap.
    if (this.timer) return;
    const check = (): void => {
      this.timer = undefined;
      const idle = this.now() - this.lastSeenAt;
      if (idle >= this.options.holdGapMs) this.remove();
      else this.timer = setTimeout(check, this.options.holdGapMs - idle);
    };
    this.timer = setTimeout(check, this.options.holdGapMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
