import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { i18n as I18n } from 'i18next';
import { I18nextProvider } from 'react-i18next';
import type { ReactNode } from 'react';
import { ServicesProvider, type AppServices } from '../lib/services';
import { AuthProvider } from '../features/auth';
import { AppRoutes } from './AppRoutes';

export interface AppProps {
  queryClient: QueryClient;
  i18n: I18n;
  services: AppServices;
  /** The router (BrowserRouter in the page, MemoryRouter in tests) wraps the routes. */
  router: (routes: ReactNode) => ReactNode;
}

export function App({ queryClient, i18n, services, router }: AppProps) {
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <ServicesProvider services={services}>
          <AuthProvider>{router(<AppRoutes />)}</AuthProvider>
        </ServicesProvider>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
