import { createContext, useContext, type ReactNode } from 'react';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@miyu/protocol';
import type { ApiClient } from './apiClient';
import type { DeviceStoreFactory } from '../features/chat/engine/deviceStore';

export type MiyuSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the app needs from the outside world; tests pass fakes. */
export interface AppServices {
  api: ApiClient;
  openSocket: () => MiyuSocket;
  /**
   * Where this browser keeps its device (keys and decrypted history): IndexedDB in the page. Without it the E2E
   * chat client does not start (tests of other screens).
   */
  openDeviceStore?: DeviceStoreFactory;
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
