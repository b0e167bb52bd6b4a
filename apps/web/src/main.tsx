import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app/App';
import { createAppApiClient, createQueryClient } from './app/createAppContext';
import { createI18n } from './i18n';
import { openSameOriginSocket } from './features/realtime';
import { openIndexedDbDeviceStore } from './features/chat/engine/indexedDbDeviceStore';
import './styles/app.css';

const queryClient = createQueryClient();
const i18n = createI18n();
const services = {
  api: createAppApiClient(queryClient),
  openSocket: openSameOriginSocket,
  openDeviceStore: openIndexedDbDeviceStore,
};

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

createRoot(root).render(
  <StrictMode>
    <App
      queryClient={queryClient}
      i18n={i18n}
      services={services}
      router={(routes) => <BrowserRouter>{routes}</BrowserRouter>}
    />
  </StrictMode>,
);
