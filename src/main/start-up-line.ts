/** The one line that says what a started instance joined: which NATS, which store, where it listens. */

export type StartedOn = {
  /** A local nats-server this instance started, or the one it joined at NATS_URL (credentials hidden). */
  nats: { started: true; url: string; storeDir: string } | { started: false; url: string };
  /** The event store, as store-guard describes it (`sqlite /abs/data/events.sqlite`, ...). */
  eventStore: string;
  host: string;
  httpPort: number | undefined;
  opsPort: number | undefined;
};

export function startUpLine(on: StartedOn): string {
  const nats = on.nats.started
    ? `started a local nats-server at ${on.nats.url} (JetStream in ${on.nats.storeDir})`
    : `joined the NATS server at ${on.nats.url}`;
  const url = (port: number) =>
    `http://${on.host.includes(":") ? `[${on.host}]` : on.host}:${port}`;
  const http =
    on.httpPort === undefined
      ? "no REST (HTTP_PORT unset)"
      : `REST on ${url(on.httpPort)}/api, dashboard ${url(on.httpPort)}/dashboard`;
  const ops =
    on.opsPort === undefined
      ? "no health or metrics (OPS_PORT empty)"
      : `health and metrics on ${url(on.opsPort)}`;
  return `campaign service started: ${nats}; events in ${on.eventStore}; ${http}; ${ops}`;
}
