import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api/context';
import { connectApi } from './api';
import { App } from './app/App';
import { StoresProvider } from './stores';
import './styles.css';

const api = connectApi();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <StoresProvider api={api}>
        <App />
      </StoresProvider>
    </ApiProvider>
  </StrictMode>,
);
