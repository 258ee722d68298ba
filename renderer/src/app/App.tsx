import { useEffect, useRef, useState } from 'react';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useLocale, useT } from '../i18n';
import { PlaceholderPage } from '../pages/Placeholder';
import { Navigation } from './Navigation';
import { ROUTES, routeFromHash, type RouteId } from './routes';
import { SCREENS } from './screens';
import { ThemeToggle } from './ThemeToggle';

function useRoute(): RouteId {
  const [route, setRoute] = useState(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

function Screen({ route }: { route: RouteId }) {
  const t = useT();
  const Page = SCREENS[route];
  return Page ? <Page /> : <PlaceholderPage title={t(ROUTES.find((item) => item.id === route)!.label)} />;
}

export function App() {
  const t = useT();
  const locale = useLocale();
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  // After a navigation, keyboard and screen-reader users continue in the new screen, not the menu.
  useEffect(() => {
    if (firstRender.current) firstRender.current = false;
    else main.current?.focus();
  }, [route]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(event) => (event.preventDefault(), main.current?.focus())}>
        {t('app.skipToContent')}
      </a>
      <Navigation route={route} />
      <div className="workspace">
        <header className="topbar">
          <ConnectionBanner />
          <ThemeToggle />
        </header>
        <main id="main" ref={main} tabIndex={-1}>
          <ErrorBoundary key={route} title={t('boundary.title')} retry={t('boundary.retry')}>
            <Screen route={route} />
          </ErrorBoundary>
        </main>
      </div>
    </div>
  );
}
