import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api/context';
import { connectApi } from './api';
import { App } from './app/App';
import { localeFromLanguages } from './i18n/translate';
import { StoresProvider, type StoreDeps } from './stores';
import 'uplot/dist/uPlot.min.css';
import './styles.css';

const { api, connection } = connectApi();
const deps: StoreDeps = { api, connection, storage: window.localStorage, defaultLocale: localeFromLanguages(navigator.languages) };
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <StoresProvider deps={deps}>
        <App />
      </StoresProvider>
    </ApiProvider>
  </StrictMode>,
);
