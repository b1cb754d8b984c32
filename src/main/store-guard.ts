/**
 * One event store per deployment. Each running instance states its store's
 * identity in its `$SRV.INFO.campaigns` metadata; a starting instance asks
 * them all and refuses to start when one uses another store (requests on the
 * shared queue groups would otherwise land on either store at random).
 */
import { ErrorCode, type NatsConnection, NatsError, RequestStrategy, type ServiceInfo } from "nats";

export type StoreIdentity = { id: string; description: string };

export const STORE_ID_KEY = "event_store_id";
export const STORE_KEY = "event_store";

export class AnotherStoreError extends Error {
  override readonly name = "AnotherStoreError";
}

/** The service metadata that states this instance's store. */
export const storeMetadata = (store: StoreIdentity): Record<string, string> => ({
  [STORE_ID_KEY]: store.id,
  [STORE_KEY]: store.description,
});

/** Throws AnotherStoreError, naming both stores, when a running instance on this NATS uses another store. */
export async function refuseAnotherStore(
  nc: NatsConnection,
  mine: StoreIdentity,
  waitMs = 1000,
): Promise<void> {
  const running: ServiceInfo[] = [];
  try {
    for await (const info of await nc.services
      .client({ strategy: RequestStrategy.JitterTimer, maxWait: waitMs, jitter: 200 })
      .info("campaigns"))
      running.push(info);
  } catch (error) {
    if (!(error instanceof NatsError && error.code === ErrorCode.NoResponders)) throw error; // no responders: the first instance
  }
  const other = running.find(
    (info) =>
      info.metadata?.[STORE_ID_KEY] !== undefined && info.metadata[STORE_ID_KEY] !== mine.id,
  );
  if (other === undefined) return;
  throw new AnotherStoreError(
    `this instance's event store is ${mine.description} (id ${mine.id}), but the instances running on this NATS use ` +
      `${other.metadata![STORE_KEY] ?? "another store"} (id ${other.metadata![STORE_ID_KEY]}, instance ${other.id}): ` +
      "point EVENT_STORE / DATA_DIR / EVENTSTORE_CONNECTION_STRING at that store, or stop those instances first",
  );
}

/** How the store is named to an operator (no credentials). */
export function describeStore(
  kind: string,
  dataDir: string,
  connectionString: string | undefined,
  absolute: (path: string) => string,
): string {
  if (kind === "sqlite") return `sqlite ${absolute(`${dataDir}/events.sqlite`)}`;
  if (kind === "eventstoredb" && connectionString)
    return `eventstoredb ${connectionString.replace(/^[a-z+]+:\/\/([^@/]*@)?/, "").split("?")[0]}`;
  return `${kind} (in this process only)`;
}
