import { randomUUID } from "node:crypto";
import type { KV, NatsConnection } from "nats";
import type { Logger } from "pino";
import type { Lease as LeasePort } from "../../ports/lease.js";
import { JetStreamAssets } from "./jetstream-assets.js";

export const LEASE_BUCKET = "campaign-leases";

/**
 * How long a lease outlives its holder's last renewal: the bucket's TTL, kept
 * by the NATS server's clock (the first instance to create the bucket sets it).
 * The holder renews, and a standby instance tries to take it, five times as often.
 */
export type LeaseTiming = { ttlMs: number };

/** The lease bucket: the last value only, and a TTL that ends a lease nobody renews. */
export const openLeaseBucket = (assets: JetStreamAssets, timing: LeaseTiming) =>
  assets.kv(LEASE_BUCKET, { history: 1, ttl: timing.ttlMs });

/**
 * One holder at a time for a named lease, among any number of instances, in a
 * JetStream KV bucket whose TTL ends a lease its holder stopped renewing
 * (killed, cut off). Taking it is a KV create (fails while it is held);
 * renewing is an update at the revision last written (fails once another has
 * taken it). A holder that cannot renew for ttl/2 steps down before anyone
 * else can take over, so two holders never act at once unless a process
 * stalls for longer than that.
 *
 * It settles after NATS restarts, fails over or loses its state: an entry
 * holding this holder's id is its own, whatever its revision (a renewal
 * written whose answer was lost, or a step-down while cut off); a renewal
 * that finds the key gone (expired, or the bucket lost) takes it again; and a
 * bucket gone missing is created anew.
 */
export class Lease implements LeasePort {
  private readonly holder = randomUUID();
  private revision: number | undefined;
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private turn: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private kv: KV,
    private readonly reopen: () => Promise<KV>,
    private readonly name: string,
    private readonly timing: LeaseTiming,
    private readonly onChange: (held: boolean) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Joins the contest for `name`; `onChange(true)` runs once this instance holds it, `onChange(false)` once it no longer does. */
  static async join(
    nc: NatsConnection,
    name: string,
    timing: LeaseTiming,
    onChange: (held: boolean) => Promise<void>,
    logger: Logger,
    assets: JetStreamAssets = new JetStreamAssets(nc),
  ): Promise<Lease> {
    const open = () => openLeaseBucket(assets, timing);
    const lease = new Lease(await open(), open, name, timing, onChange, logger);
    await lease.tick();
    lease.timer = setInterval(() => void lease.tick(), timing.ttlMs / 5);
    return lease;
  }

  get held(): boolean {
    return this.revision !== undefined;
  }

  /** Stops contending; a holder hands the lease back at once, so another instance need not wait out the TTL. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.turn;
    const revision = this.revision;
    if (revision === undefined) return;
    await this.change(undefined); // the holder's work stops (at a checkpoint) before anyone else can start
    await this.kv.delete(this.name, { previousSeq: revision }).catch(() => undefined);
  }

  /** One renewal or one try to take it; ticks never overlap. */
  private tick(): Promise<void> {
    this.turn = this.turn.then(async () => {
      if (this.stopped) return;
      try {
        const revision = await this.withBucket(() =>
          this.revision === undefined ? this.take() : this.renew(this.revision),
        );
        if (revision === undefined) return; // another holds it
        this.renewedAt = Date.now();
        await this.change(revision);
      } catch (err) {
        // Lost (another holds it now); or NATS is away, and after ttl/2 without a renewal we step
        // down.
        if (this.revision === undefined) return;
        const lost = !isUnreachable(err) || Date.now() - this.renewedAt >= this.timing.ttlMs / 2;
        if (!lost) return;
        this.logger.warn({ err, lease: this.name }, "lease lost");
        await this.change(undefined);
      }
    });
    return this.turn;
  }

  /** Takes the lease when free, or when the entry is this holder's own; undefined while another holds it. */
  private async take(): Promise<number | undefined> {
    try {
      return await this.kv.create(this.name, this.holder);
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
    }
    const entry = await this.kv.get(this.name);
    if (entry?.operation !== "PUT" || entry.string() !== this.holder) return undefined;
    return this.kv.update(this.name, this.holder, entry.revision);
  }

  /** Renews at the revision last written; if that is not the entry's, it is still this holder's own or free to take. */
  private async renew(revision: number): Promise<number> {
    try {
      return await this.kv.update(this.name, this.holder, revision);
    } catch (err) {
      if (!isWrongLastSequence(err)) throw err;
      const taken = await this.take();
      if (taken === undefined) throw err; // another holds it
      return taken;
    }
  }

  /** Runs `op`; when nothing answers on the bucket (it may be gone with NATS' state), opens it again (creating it when missing) and retries once. */
  private async withBucket<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if ((err as { code?: unknown }).code !== "503") throw err;
      this.kv = await this.reopen();
      return op();
    }
  }

  private async change(revision: number | undefined): Promise<void> {
    const was = this.held;
    this.revision = revision;
    if (was === this.held) return;
    this.logger.info(
      { lease: this.name, held: this.held },
      this.held ? "lease taken" : "lease given up",
    );
    await this.onChange(this.held);
  }
}

const WRONG_LAST_SEQUENCE = 10071;
const isWrongLastSequence = (err: unknown): boolean =>
  (err as { api_error?: { err_code?: number } }).api_error?.err_code === WRONG_LAST_SEQUENCE;

const UNREACHABLE = new Set([
  "TIMEOUT",
  "CONNECTION_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DRAINING",
  "DISCONNECT",
  "408",
  "503",
]);

/** A timeout or a lost connection, as opposed to the server's refusal (wrong last sequence). */
const isUnreachable = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && UNREACHABLE.has(code);
};
