import { filterMatches } from './acl';

type FiltersByKey = Map<string, Map<string, number>>;

/**
 * The subscription filters the broker may hold, filed by the device (or, for a monitor's wildcard,
 * the product) whose topics they cover, so a device PUBLISH that no subscriber can receive skips
 * aedes' routing (two topic-trie matches, and a promise for QoS 1) — the usual case for telemetry.
 *
 * Every filter the hub grants lies under `/sys/{pk}/{dk}/` or `/ext/session/{pk}/{dk}/` of a device,
 * or under `/sys/{pk}/` or `/ext/session/{pk}/` for a monitor (acl.ts `maySubscribe`), so a topic of
 * device pk/dk can only be matched by that device's filters or by its product's wildcard ones.
 *
 * The index may hold more than the broker, never less: a filter is counted when granted and
 * uncounted only when aedes reports it gone (UNSUBSCRIBE, or a clean session's end). A persistent
 * session's filters stay counted, since aedes keeps them for its offline messages.
 */
export class SubscriberIndex {
  /** `pk` → `dk` → filter → grants. */
  private readonly byDevice = new Map<string, FiltersByKey>();
  /** `pk` → filter → grants, for filters whose device level is a wildcard; under ANY_PRODUCT, filters not filed by product. */
  private readonly byProduct: FiltersByKey = new Map();

  add(filter: string): void {
    const filters = this.filtersOf(filter, true);
    filters.set(filter, (filters.get(filter) ?? 0) + 1);
  }

  remove(filter: string): void {
    const filters = this.filtersOf(filter, false);
    const grants = filters?.get(filter);
    if (!filters || grants === undefined) return;
    if (grants > 1) filters.set(filter, grants - 1);
    else filters.delete(filter);
  }

  /** Whether a subscription the broker may hold matches `topic`, a topic of device pk/dk. */
  mayReceive(productKey: string, deviceKey: string, topic: string): boolean {
    return anyMatches(this.byDevice.get(productKey)?.get(deviceKey), topic) || anyMatches(this.byProduct.get(productKey), topic) || anyMatches(this.byProduct.get(ANY_PRODUCT), topic);
  }

  private filtersOf(filter: string, create: true): Map<string, number>;
  private filtersOf(filter: string, create: false): Map<string, number> | undefined;
  private filtersOf(filter: string, create: boolean): Map<string, number> | undefined {
    const [productKey, deviceLevel] = deviceLevels(filter);
    const wildcard = productKey === ANY_PRODUCT || deviceLevel === undefined || isWildcard(deviceLevel);
    const container: FiltersByKey | undefined = wildcard ? this.byProduct : this.byDevice.get(productKey) ?? (create ? setNew(this.byDevice, productKey, new Map()) : undefined);
    const key = wildcard ? productKey : deviceLevel;
    return container?.get(key) ?? (create && container ? setNew(container, key, new Map()) : undefined);
  }
}

const PREFIXES = ['/sys/', '/ext/session/'];
/** Where a filter that does not name one product goes (the ACL grants none): it is tried on every topic. */
const ANY_PRODUCT = '';

const isWildcard = (level: string) => level === '+' || level === '#';

/** The product and device levels of a granted filter (`/sys/{pk}/{dk}/…` or `/ext/session/{pk}/{dk}/…`). */
function deviceLevels(filter: string): [string, string | undefined] {
  const prefix = PREFIXES.find((candidate) => filter.startsWith(candidate));
  if (!prefix) return [ANY_PRODUCT, undefined];
  const [productKey = ANY_PRODUCT, deviceLevel] = filter.slice(prefix.length).split('/', 2);
  return [isWildcard(productKey) ? ANY_PRODUCT : productKey, deviceLevel];
}

function anyMatches(filters: Map<string, number> | undefined, topic: string): boolean {
  if (!filters) return false;
  for (const filter of filters.keys()) if (filterMatches(filter, topic)) return true;
  return false;
}

function setNew<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.set(key, value);
  return value;
}
