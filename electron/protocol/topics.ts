/**
 * EnOS device topics (protocol reference §6): one table of routes, builders that spell a topic
 * from it, and a router precompiled from the same table. The reply topic of every request is the
 * request topic + `_reply`.
 */

export type UpstreamKind =
  | 'measurepoint.post'
  | 'measurepoint.post.batch'
  | 'measurepoint.resume'
  | 'measurepoint.resume.batch'
  | 'event.post'
  | 'attribute.query'
  | 'attribute.update'
  | 'attribute.delete'
  | 'tag.query'
  | 'tag.update'
  | 'tag.delete'
  | 'tsltemplate.get'
  | 'up_raw'
  | 'topo.add'
  | 'topo.delete'
  | 'topo.get'
  | 'device.register'
  | 'combine.login'
  | 'combine.login.batch'
  | 'combine.logout'
  | 'ota.inform'
  | 'ota.progress'
  | 'ota.getversion'
  | 'log.post'
  | 'network.status'
  | 'connection.state';

export type DownstreamKind =
  | 'service.invoke'
  | 'measurepoint.set'
  | 'measurepoint.get'
  | 'down_raw'
  | 'ota.upgrade'
  | 'activate.info'
  | 'thing.enable'
  | 'thing.disable'
  | 'thing.delete'
  | 'combine.enable'
  | 'combine.disable'
  | 'combine.delete';

export type RouteKind = UpstreamKind | DownstreamKind;

interface RouteSpec {
  readonly scope: 'sys' | 'ext';
  /** Path after `{pk}/{dk}/`; `+` marks the one parameter segment (event id, service id). */
  readonly tail: string;
  /** Method names accepted on this topic (§13 #16: both names of a pair); `+` is the parameter. */
  readonly methods: readonly string[];
}

const UP: Record<UpstreamKind, RouteSpec> = {
  'measurepoint.post': { scope: 'sys', tail: 'thing/measurepoint/post', methods: ['thing.measurepoint.post'] },
  'measurepoint.post.batch': { scope: 'sys', tail: 'thing/measurepoint/post/batch', methods: ['thing.measurepoint.post.batch'] },
  'measurepoint.resume': { scope: 'sys', tail: 'thing/measurepoint/resume', methods: ['thing.measurepoint.resume'] },
  'measurepoint.resume.batch': { scope: 'sys', tail: 'thing/measurepoint/resume/batch', methods: ['thing.measurepoint.resume.batch'] },
  'event.post': { scope: 'sys', tail: 'thing/event/+/post', methods: ['thing.event.+.post'] },
  'attribute.query': { scope: 'sys', tail: 'thing/attribute/query', methods: ['thing.attribute.query'] },
  'attribute.update': { scope: 'sys', tail: 'thing/attribute/update', methods: ['thing.attribute.update'] },
  'attribute.delete': { scope: 'sys', tail: 'thing/attribute/delete', methods: ['thing.attribute.delete'] },
  'tag.query': { scope: 'sys', tail: 'thing/tag/query', methods: ['thing.tag.query'] },
  'tag.update': { scope: 'sys', tail: 'thing/tag/update', methods: ['thing.tag.update'] },
  'tag.delete': { scope: 'sys', tail: 'thing/tag/delete', methods: ['thing.tag.delete'] },
  'tsltemplate.get': { scope: 'sys', tail: 'thing/tsltemplate/get', methods: ['thing.tsltemplate.get', 'thing.dsltemplate.get'] },
  up_raw: { scope: 'sys', tail: 'thing/model/up_raw', methods: [] },
  'topo.add': { scope: 'sys', tail: 'thing/topo/add', methods: ['thing.topo.add'] },
  'topo.delete': { scope: 'sys', tail: 'thing/topo/delete', methods: ['thing.topo.delete'] },
  'topo.get': { scope: 'sys', tail: 'thing/topo/get', methods: ['thing.topo.get'] },
  'device.register': { scope: 'sys', tail: 'thing/device/register', methods: ['thing.device.register'] },
  'combine.login': { scope: 'ext', tail: 'combine/login', methods: ['combine.login'] },
  'combine.login.batch': { scope: 'ext', tail: 'combine/login/batch', methods: ['combine.login.batch'] },
  'combine.logout': { scope: 'ext', tail: 'combine/logout', methods: ['combine.logout'] },
  'ota.inform': { scope: 'sys', tail: 'ota/device/inform', methods: ['ota.device.inform'] },
  'ota.progress': { scope: 'sys', tail: 'ota/device/progress', methods: ['ota.device.progress', 'ota.device.process'] },
  'ota.getversion': { scope: 'sys', tail: 'ota/device/getversion', methods: ['ota.device.getversion'] },
  // Java-only extras (§6.1): accepted and acknowledged.
  'log.post': { scope: 'sys', tail: 'thing/log/post', methods: ['thing.log.post'] },
  'network.status': { scope: 'sys', tail: 'network/status/report', methods: ['network.status.report'] },
  'connection.state': { scope: 'sys', tail: 'connection/state/post', methods: ['connection.state.post'] },
};

const DOWN: Record<DownstreamKind, RouteSpec> = {
  'service.invoke': { scope: 'sys', tail: 'thing/service/+', methods: ['thing.service.+'] },
  'measurepoint.set': { scope: 'sys', tail: 'thing/service/measurepoint/set', methods: ['thing.service.measurepoint.set'] },
  'measurepoint.get': { scope: 'sys', tail: 'thing/service/measurepoint/get', methods: ['thing.service.measurepoint.get'] },
  down_raw: { scope: 'sys', tail: 'thing/model/down_raw', methods: [] },
  'ota.upgrade': { scope: 'sys', tail: 'ota/device/upgrade', methods: ['ota.device.upgrade'] },
  'activate.info': { scope: 'ext', tail: 'thing/activate/info', methods: ['thing.activate.info'] },
  'thing.enable': { scope: 'sys', tail: 'thing/enable', methods: ['thing.enable'] },
  'thing.disable': { scope: 'sys', tail: 'thing/disable', methods: ['thing.disable'] },
  'thing.delete': { scope: 'sys', tail: 'thing/delete', methods: ['thing.delete'] },
  'combine.enable': { scope: 'ext', tail: 'combine/enable', methods: ['combine.enable'] },
  'combine.disable': { scope: 'ext', tail: 'combine/disable', methods: ['combine.disable'] },
  'combine.delete': { scope: 'ext', tail: 'combine/delete', methods: ['combine.delete'] },
};

const SPECS: Record<RouteKind, RouteSpec> = { ...UP, ...DOWN };
const PREFIX = { sys: '/sys/', ext: '/ext/session/' } as const;

export function isUpstreamKind(kind: RouteKind): kind is UpstreamKind {
  return kind in UP;
}

/** The topic of a route for one device; `param` fills the event or service id. */
export function topicFor(kind: RouteKind, productKey: string, deviceKey: string, param = ''): string {
  const spec = SPECS[kind];
  return `${PREFIX[spec.scope]}${productKey}/${deviceKey}/${spec.tail.replace('+', param)}`;
}

export function replyTopicFor(kind: RouteKind, productKey: string, deviceKey: string, param = ''): string {
  return `${topicFor(kind, productKey, deviceKey, param)}_reply`;
}

/** The method a request on this route carries (our own requests: the first, SDK name). */
export function methodFor(kind: RouteKind, param = ''): string {
  return (SPECS[kind].methods[0] ?? '').replace('+', param);
}

interface MethodParts {
  readonly before: string;
  /** Undefined for a name without `+`. */
  readonly after: string | undefined;
}

/** Each route's method names split at their `+`, so a message's method is matched without building strings. */
const METHOD_PARTS = {} as Record<RouteKind, readonly MethodParts[]>;
for (const kind of Object.keys(SPECS) as RouteKind[]) {
  METHOD_PARTS[kind] = SPECS[kind].methods.map((name) => {
    const at = name.indexOf('+');
    return at < 0 ? { before: name, after: undefined } : { before: name.slice(0, at), after: name.slice(at + 1) };
  });
}

/** §13 #16: route by topic, accept either name of a pair; raw routes carry no method. */
export function methodMatches(kind: RouteKind, method: string, param = ''): boolean {
  for (const name of METHOD_PARTS[kind]) {
    if (name.after === undefined ? method === name.before : matchesAround(method, name.before, param, name.after)) return true;
  }
  return false;
}

/** `method === before + param + after`, compared in place. */
function matchesAround(method: string, before: string, param: string, after: string): boolean {
  return method.length === before.length + param.length + after.length && method.startsWith(before) && method.startsWith(param, before.length) && method.endsWith(after);
}

export interface RoutedTopic {
  readonly kind: RouteKind;
  readonly productKey: string;
  readonly deviceKey: string;
  /** The event id or service id of a parameterised route, else ''. */
  readonly param: string;
  /** The topic was `<route topic>_reply`. */
  readonly reply: boolean;
}

interface ParamRoute {
  readonly kind: RouteKind;
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** Exact tails per scope, then the parameterised ones; exact wins, so measurepoint set/get beat `thing/service/+` (§6). */
const exact = { sys: new Map<string, RouteKind>(), ext: new Map<string, RouteKind>() };
const parameterised = { sys: [] as ParamRoute[], ext: [] as ParamRoute[] };
for (const [kind, spec] of Object.entries(SPECS) as [RouteKind, RouteSpec][]) {
  const segments = spec.tail.split('/');
  const at = segments.indexOf('+');
  if (at < 0) exact[spec.scope].set(spec.tail, kind);
  else parameterised[spec.scope].push({ kind, before: segments.slice(0, at), after: segments.slice(at + 1) });
}

function matchParameterised(routes: readonly ParamRoute[], segments: readonly string[]): { kind: RouteKind; param: string } | null {
  for (const route of routes) {
    if (segments.length !== route.before.length + 1 + route.after.length) continue;
    if (!route.before.every((segment, i) => segments[i] === segment)) continue;
    const paramAt = route.before.length;
    if (!route.after.every((segment, i) => segments[paramAt + 1 + i] === segment)) continue;
    const param = segments[paramAt]!;
    if (param !== '') return { kind: route.kind, param };
  }
  return null;
}

/** MQTT wildcards never appear in a topic a device may publish to (topic injection). */
function hasWildcard(topic: string): boolean {
  return topic.includes('+') || topic.includes('#') || topic.includes('\u0000');
}

/**
 * Routes a concrete topic to its kind and device; null for anything not in §6.1/§6.2 (unknown
 * topics, wildcards, empty keys). Integration-channel topics (§6.5) are left for their issue.
 */
export function routeTopic(topic: string): RoutedTopic | null {
  if (hasWildcard(topic)) return null;
  let scope: 'sys' | 'ext';
  let rest: string;
  if (topic.startsWith(PREFIX.sys)) {
    scope = 'sys';
    rest = topic.slice(PREFIX.sys.length);
  } else if (topic.startsWith(PREFIX.ext)) {
    scope = 'ext';
    rest = topic.slice(PREFIX.ext.length);
  } else return null;
  const pkEnd = rest.indexOf('/');
  const dkEnd = pkEnd < 0 ? -1 : rest.indexOf('/', pkEnd + 1);
  if (pkEnd <= 0 || dkEnd <= pkEnd + 1) return null;
  const productKey = rest.slice(0, pkEnd);
  const deviceKey = rest.slice(pkEnd + 1, dkEnd);
  let tail = rest.slice(dkEnd + 1);
  const reply = tail.endsWith('_reply');
  if (reply) tail = tail.slice(0, -'_reply'.length);
  const kind = exact[scope].get(tail);
  if (kind) return { kind, productKey, deviceKey, param: '', reply };
  const matched = matchParameterised(parameterised[scope], tail.split('/'));
  return matched ? { ...matched, productKey, deviceKey, reply } : null;
}

/** The topic filters a device's own session covers (§3.5): every `/sys` and `/ext/session` topic of the device. */
export function deviceTopicFilters(productKey: string, deviceKey: string): string[] {
  return [`${PREFIX.sys}${productKey}/${deviceKey}/#`, `${PREFIX.ext}${productKey}/${deviceKey}/#`];
}
