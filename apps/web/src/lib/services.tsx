import { createContext, useContext, type ReactNode } from 'react';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@miyu/protocol';
import type { ApiClient } from './apiClient';

export type MiyuSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the app needs from the outside world; tests pass fakes. */
export interface AppServices {
  api: ApiClient;
  openSocket: () => MiyuSocket;
}

const ServicesContext = createContext<AppServices | null>(null);

export function ServicesProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext value={services}>{children}</ServicesContext>;
}

export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesProvider');
  return services;
}

export function useApi(): ApiClient {
  return useServices().api;
}
