import { useEffect, useState } from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { LogsPage } from '../pages/Logs';
import { PlaceholderPage } from '../pages/Placeholder';
import { SettingsPage } from '../pages/Settings';
import { ROUTES, routeFromHash, type RouteId } from './routes';

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
  switch (route) {
    case 'settings':
      return <SettingsPage />;
    case 'logs':
      return <LogsPage />;
    default:
      return <PlaceholderPage title={ROUTES.find((item) => item.id === route)!.label} />;
  }
}

export function App() {
  const route = useRoute();
  return (
    <div className="shell">
      <nav aria-label="Main">
        <div className="brand">Commissioner</div>
        <ul>
          {ROUTES.map((item) => (
            <li key={item.id}>
              <a href={`#/${item.id}`} aria-current={item.id === route ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        <ErrorBoundary key={route}>
          <Screen route={route} />
        </ErrorBoundary>
      </main>
    </div>
  );
}
