/**
 * Three nats-servers clustered on loopback, each running the repository's
 * cluster configuration (deploy/cluster/nats-cluster.conf: the permission
 * model of deploy/nats, JetStream, a `cluster` block) with the test's ports,
 * routes and a temporary JetStream directory given on the command line, as
 * docker-compose.cluster.yml gives its own. Nodes can be killed and started
 * again (same ports, same or an empty store).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, type ConnectionOptions, type NatsConnection } from "nats";
import { tenantConnectionOptions } from "../../src/client/campaigns-client.js";
import { SERVICE_INBOX_PREFIX } from "../../src/adapters/nats/local-server.js";
import { freePort, natsServerBinary } from "./nats-server.js";

export const CLUSTER_CONFIG = resolve(
  import.meta.dirname,
  "../../deploy/cluster/nats-cluster.conf",
);

export type ClusterNode = {
  readonly name: string;
  readonly url: string;
  readonly storeDir: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** kill -9 (or another signal), waiting for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports; `emptyStore`: as a replaced machine, without its JetStream state. */
  start(options?: { emptyStore?: boolean }): Promise<void>;
};

export type MetaGroup = {
  leader?: string;
  replicas?: { name: string; current: boolean; offline?: boolean }[];
};

export type NatsCluster = {
  nodes: ClusterNode[];
  /** Every node's client URL, comma-separated: NATS_URL for the service. */
  natsUrl: string;
  /** The service's user (deploy/nats's permission model), for NATS_USER / NATS_PASSWORD. */
  serviceEnv: Record<string, string>;
  /** A connection as the service's user (its inbox prefix), for looking into streams and buckets. */
  serviceConnection(options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  /** A tenant's connection, as CONTRACT.md asks. */
  tenantConnection(clientId: "acme" | "globex"): Promise<NatsConnection>;
  node(name: string): ClusterNode;
  /** The node leading JetStream's meta group (stream and consumer creation go through it). */
  metaLeader(): Promise<ClusterNode>;
  /** JetStream's meta group as its leader's monitoring endpoint reports it. */
  metaGroup(): Promise<MetaGroup>;
  stop(): Promise<void>;
};

// A letter first: nats-server reads an environment value that starts with a digit as a number.
const secret = () => `p${randomBytes(12).toString("hex")}`;

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const passwords = {
    CAMPAIGNS_SERVICE_PASSWORD: secret(),
    ACME_PASSWORD: secret(),
    GLOBEX_PASSWORD: secret(),
  };
  const root = mkdtempSync(join(tmpdir(), "campaigns-cluster-"));
  // Routes need every node's cluster port before the first starts; a port taken by another test
  // file between freePort() and the server's bind shows as a server that does not start.
  const specs = await Promise.all(
    Array.from({ length: size }, async (_, i) => ({
      name: `n${i + 1}`,
      port: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      storeDir: join(root, `n${i + 1}`),
    })),
  );
  const routes = specs.map((s) => `nats://127.0.0.1:${s.clusterPort}`).join(",");
  const serviceAuth = { user: "campaigns-service", pass: passwords.CAMPAIGNS_SERVICE_PASSWORD };

  const nodes = specs.map((spec) => {
    let child: ChildProcess | undefined;
    const url = `nats://127.0.0.1:${spec.port}`;
    const node: ClusterNode = {
      name: spec.name,
      url,
      storeDir: spec.storeDir,
      get pid() {
        return child?.pid;
      },
      get running() {
        return child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      async kill(signal = "SIGKILL") {
        if (!node.running) return;
        const exited = new Promise((r) => child!.once("exit", r));
        child!.kill(signal);
        await exited;
      },
      async start(options = {}) {
        if (options.emptyStore) rmSync(spec.storeDir, { recursive: true, force: true });
        mkdirSync(spec.storeDir, { recursive: true });
        const args = [
          ...["-c", CLUSTER_CONFIG, "-a", "127.0.0.1", "-p", String(spec.port)],
          ...["-sd", spec.storeDir, "--cluster", `nats://127.0.0.1:${spec.clusterPort}`],
          ...["--routes", routes, "-m", String(spec.monitorPort)],
        ];
        child = spawn(natsServerBinary(), args, {
          stdio: ["ignore", "ignore", "pipe"],
          env: { ...process.env, ...passwords, NATS_SERVER_NAME: spec.name },
        });
        let stderr = "";
        child.stderr?.on("data", (chunk: Buffer) => {
          stderr = (stderr + chunk).slice(-4000);
          // NATS_CLUSTER_LOGS=<dir>: each node's log kept there, for looking into a failure.
          if (process.env.NATS_CLUSTER_LOGS)
            appendFileSync(join(process.env.NATS_CLUSTER_LOGS, `${spec.name}.log`), chunk);
        });
        await untilAnswers(url, serviceAuth, () => (node.running ? undefined : stderr));
      },
    };
    return node;
  });

  const serviceConnection = (options: Partial<ConnectionOptions> = {}) =>
    connect({
      servers: nodes.map((n) => n.url),
      ...serviceAuth,
      inboxPrefix: SERVICE_INBOX_PREFIX,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...options,
    });
  const cluster: NatsCluster = {
    nodes,
    natsUrl: nodes.map((n) => n.url).join(","),
    serviceEnv: { NATS_USER: serviceAuth.user, NATS_PASSWORD: serviceAuth.pass },
    serviceConnection,
    tenantConnection: (clientId) =>
      connect({
        servers: nodes.map((n) => n.url),
        user: clientId,
        pass: clientId === "acme" ? passwords.ACME_PASSWORD : passwords.GLOBEX_PASSWORD,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        ...tenantConnectionOptions(clientId),
      }),
    node: (name) => nodes.find((n) => n.name === name)!,
    async metaLeader() {
      return cluster.node((await cluster.metaGroup()).leader!);
    },
    async metaGroup() {
      const jsz = (port: number) =>
        fetch(`http://127.0.0.1:${port}/jsz`).then(
          async (r) => ((await r.json()) as { meta_cluster?: MetaGroup }).meta_cluster,
          () => undefined,
        );
      for (const spec of specs) {
        const leader = (await jsz(spec.monitorPort))?.leader;
        const leaderSpec = specs.find((s) => s.name === leader);
        // The leader's own view lists its peers and whether each is current.
        const meta = leaderSpec && (await jsz(leaderSpec.monitorPort));
        if (meta?.leader === leader) return meta!;
      }
      throw new Error("no node leads JetStream's meta group");
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.kill("SIGTERM")));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await untilClustered(cluster, size);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Every node is routed to the others, and JetStream's meta group has a leader and every other node as a current peer. */
async function untilClustered(cluster: NatsCluster, size: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const meta = await cluster.metaGroup().catch(() => undefined);
    const peers = (meta?.replicas ?? []).filter((r) => r.current && !r.offline);
    if (meta?.leader && peers.length >= size - 1) return;
    if (Date.now() > deadline) throw new Error(`the cluster did not form: ${JSON.stringify(meta)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function untilAnswers(
  url: string,
  auth: { user: string; pass: string },
  exited: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const stderr = exited();
    if (stderr !== undefined) throw new Error(`nats-server ${url} exited: ${stderr}`);
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 500, ...auth });
      await nc.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
