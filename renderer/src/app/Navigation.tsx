import { useRef, type KeyboardEvent } from 'react';
import { useT } from '../i18n';
import { navTarget, ROUTES, type RouteId } from './routes';

/** The main navigation: Tab reaches it, arrow keys move within it, Enter opens a screen. */
export function Navigation({ route }: { route: RouteId }) {
  const t = useT();
  const list = useRef<HTMLUListElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const links = [...(list.current?.querySelectorAll('a') ?? [])];
    const target = navTarget(links.indexOf(document.activeElement as HTMLAnchorElement), event.key, links.length);
    if (target === null) return;
    event.preventDefault();
    links[target]?.focus();
  };
  return (
    <nav aria-label={t('app.mainNav')}>
      <div className="brand">{t('app.brand')}</div>
      <ul ref={list} onKeyDown={onKeyDown}>
        {ROUTES.map((item) => (
          <li key={item.id}>
            <a href={`#/${item.id}`} aria-current={item.id === route ? 'page' : undefined}>
              {t(item.label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
