import type { Session } from './session';

/**
 * Topic permissions (protocol reference §3.5): a session publishes and subscribes only under its
 * own `/sys/{pk}/{dk}/` and `/ext/session/{pk}/{dk}/` and those of its logged-in sub-devices; a
 * `--monitor` device may also subscribe to every device topic of its product (read-only).
 */

/** MQTT 3.1.1 §4.7 filter matching for the few filters a session holds. */
export function filterMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  // The usual grant, `{prefix}/#` without `+`: the topic is under the prefix or is its parent level
  // (§4.7.1.2), read without splitting either string.
  if (filter.endsWith('/#') && !filter.includes('+')) {
    const parentLength = filter.length - 2;
    return topic.startsWith(filter.slice(0, parentLength + 1)) || (topic.length === parentLength && filter.startsWith(topic));
  }
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** Wildcards only as whole levels, `#` only last (MQTT 3.1.1 §4.7.1). */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => (level.includes('#') ? level === '#' && i === levels.length - 1 : !level.includes('+') || level === '+'));
}

function underOwnPrefix(session: Session, filter: string): boolean {
  if (filter.startsWith(session.sysPrefix) || filter.startsWith(session.extPrefix)) return true;
  if (!session.subDevices) return false;
  for (const entry of session.subDevices.values()) {
    const { productKey, deviceKey } = entry.device;
    if (filter.startsWith(`/sys/${productKey}/${deviceKey}/`) || filter.startsWith(`/ext/session/${productKey}/${deviceKey}/`)) return true;
  }
  return false;
}

export function maySubscribe(session: Session, filter: string): boolean {
  if (!isValidFilter(filter)) return false;
  if (underOwnPrefix(session, filter)) return true;
  if (!session.info.monitor) return false;
  const { productKey } = session.device;
  return filter.startsWith(`/sys/${productKey}/`) || filter.startsWith(`/ext/session/${productKey}/`);
}

/** Whether a reply on `topic` reaches this session: it subscribed to it (§3.5 "reply topics need a SUBSCRIBE"). */
export function grantedQos(session: Session, topic: string): 0 | 1 | null {
  for (const grant of session.subscriptions) if (filterMatches(grant.filter, topic)) return grant.qos;
  return null;
}
