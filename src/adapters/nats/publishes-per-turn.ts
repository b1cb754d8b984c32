/**
 * The relay's JetStream publishes, collected during one turn of the event loop
 * and issued together at its end (setImmediate). nats.js coalesces only what is
 * sent within one microtask generation into one socket write, and the relay
 * takes events one at a time across awaits: issued at once, each publish took a
 * socket write of its own (and a read on nats-server). Never later than the
 * turn's end; in the order taken.
 */
export class PublishesPerTurn {
  private queued: Array<() => void> = [];
  private scheduled = false;

  /** `publish` runs at the end of this turn, after those added before it. */
  add(publish: () => void): void {
    this.queued.push(publish);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.issue);
  }

  private readonly issue = () => {
    const queued = this.queued;
    this.queued = [];
    this.scheduled = false;
    for (const publish of queued) publish();
  };
}
