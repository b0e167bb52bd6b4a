import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import type { Locale } from '@miyu/protocol';
import { App } from '../app/App';
import { createAppApiClient, createQueryClient } from '../app/createAppContext';
import { createI18n } from '../i18n';
import { type FakeServer } from './fakeServer';
import { FakeSocket } from './fakeSocket';

export interface RenderAppOptions {
  server: FakeServer;
  path?: string;
  locale?: Locale;
}

/** The whole app against a fake server and socket, at `path`, in a memory router. */
export function renderApp({ server, path = '/', locale = 'zh-CN' }: RenderAppOptions) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({
    queries: { ...queryClient.getDefaultOptions().queries, retry: false },
    mutations: { retry: false },
  });
  const i18n = createI18n(locale);
  const sockets: FakeSocket[] = [];
  const services = {
    api: createAppApiClient(queryClient, server.fetch),
    openSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket.asSocket();
    },
  };
  const view = render(
    <App
      queryClient={queryClient}
      i18n={i18n}
      services={services}
      router={(routes) => <MemoryRouter initialEntries={[path]}>{routes}</MemoryRouter>}
    />,
  );
  return { ...view, queryClient, i18n, sockets, latestSocket: () => sockets[sockets.length - 1] };
}
