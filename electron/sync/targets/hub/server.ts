import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../../../core/logger';
import { newToken, tokensEqual } from '../../../bridge/token';
import type { Db } from '../../../registry/database';
import { HUB_API_PREFIX, HubPushSchema, type HubEntity, type HubPush } from './protocol';

const MAX_BODY_BYTES = 1024 * 1024;

/** What the serving station's own registry holds, in the sync API's entity shape. */
export interface HubCatalog {
  products(): HubEntity[];
  trees(): HubEntity[];
}

export interface RegistryServerOptions {
  host: string;
  port: number;
  db: Db;
  clock: () => number;
  logger: Logger;
  catalog?: HubCatalog;
}

export interface RegistryServer {
  readonly port: number;
  /** Per run, distinct from the UI token (architecture §2: `registryToken` in run.json). */
  readonly token: string;
  close(): Promise<void>;
}

interface EntityRow {
  entity: string;
  entity_id: string;
  revision: number;
  origin: string;
  deleted: number;
  payload: string;
}

/**
 * Applies one pushed row: exactly once per idempotency key (a repeat answers the first result),
 * and never over a newer revision written by another station unless the pusher chose to force it.
 */
function applyPush(db: Db, push: HubPush, now: number): { status: 200 | 409; body: unknown } {
  return db.transaction(() => {
    const receipt = db.prepare('SELECT result FROM sync_hub_receipts WHERE idempotency_key = ?').get(push.item.idempotencyKey) as { result: string } | undefined;
    if (receipt) return { status: 200 as const, body: { status: 'duplicate' } };
    const current = db.prepare('SELECT * FROM sync_hub_entities WHERE entity = ? AND entity_id = ?').get(push.item.entity, push.item.entityId) as EntityRow | undefined;
    if (current && current.origin !== push.origin && current.revision >= push.item.revision && !push.force) {
      return { status: 409 as const, body: { conflict: 'newer_elsewhere', current: { revision: current.revision, origin: current.origin, payload: JSON.parse(current.payload), deleted: current.deleted === 1 } } };
    }
    db.prepare(
      `INSERT INTO sync_hub_entities (entity, entity_id, revision, origin, deleted, payload, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (entity, entity_id) DO UPDATE SET revision = excluded.revision, origin = excluded.origin, deleted = excluded.deleted, payload = excluded.payload, updated_at = excluded.updated_at`,
    ).run(push.item.entity, push.item.entityId, push.item.revision, push.origin, push.item.operation === 'delete' ? 1 : 0, JSON.stringify(push.item.payload), now);
    db.prepare('INSERT INTO sync_hub_receipts (idempotency_key, result, received_at) VALUES (?, ?, ?)').run(push.item.idempotencyKey, 'applied', now);
    return { status: 200 as const, body: { status: 'applied' } };
  })();
}

/** The station's own registry, overlaid by what other stations pushed (the newer word on an entity). */
function list(db: Db, entities: string[], own: HubEntity[]): unknown {
  const rows = db.prepare(`SELECT * FROM sync_hub_entities WHERE entity IN (${entities.map(() => '?').join(', ')}) ORDER BY entity, entity_id`).all(...entities) as EntityRow[];
  const items = new Map(own.map((item) => [`${item.entity}:${item.entityId}`, item]));
  for (const row of rows) {
    const key = `${row.entity}:${row.entity_id}`;
    if (row.deleted === 1) items.delete(key);
    else items.set(key, { entity: row.entity, entityId: row.entity_id, revision: row.revision, payload: JSON.parse(row.payload) });
  }
  return { items: [...items.values()] };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The station's registry port (`commissioner station --serve-registry`): the hub side of the sync API. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const token = newToken();
  const sockets = new Set<Socket>();
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!tokensEqual(token, bearer)) return send(res, 401, { error: { code: 'UNAUTHORIZED', message: 'The registry token is missing or wrong.' } });
      const path = new URL(req.url ?? '/', 'http://registry').pathname;
      if (req.method === 'GET' && path === `${HUB_API_PREFIX}/products`) return send(res, 200, list(options.db, ['product'], options.catalog?.products() ?? []));
      if (req.method === 'GET' && path === `${HUB_API_PREFIX}/trees`) return send(res, 200, list(options.db, ['asset_tree', 'asset_node'], options.catalog?.trees() ?? []));
      if (req.method === 'POST' && path === `${HUB_API_PREFIX}/items`) {
        const text = await readBody(req);
        let parsed;
        try {
          parsed = HubPushSchema.safeParse(JSON.parse(text ?? ''));
        } catch {
          parsed = undefined;
        }
        if (!parsed?.success) return send(res, 400, { error: { code: 'INVALID_INPUT', message: 'The body is not a sync v1 push.' } });
        const answer = applyPush(options.db, parsed.data, options.clock());
        return send(res, answer.status, answer.body);
      }
      send(res, 404, { error: { code: 'NOT_FOUND', message: `No ${req.method} ${path.slice(0, 80)} in the sync API (version 1 is under ${HUB_API_PREFIX}).` } });
    })().catch((error) => {
      options.logger.error('registry request failed', { error });
      if (!res.headersSent) send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
