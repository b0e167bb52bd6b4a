import { createContext, useContext } from 'react';
import type { MiyuSocket } from '../../../lib/services';

export const SocketContext = createContext<MiyuSocket | null>(null);

/** The signed-in realtime connection; null before it exists. Features subscribe to their own events on it. */
export function useSocket(): MiyuSocket | null {
  return useContext(SocketContext);
}
