import { useEffect, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useServices, type MiyuSocket } from '../../../lib/services';
import { authKeys, useAuth } from '../../auth';
import { attachSessionEvents } from '../realtime';
import { SocketContext } from '../hooks/useSocket';

/** Opens the socket for the signed-in session and ends the local session when the server ends it. */
export function RealtimeProvider({ sessionId, children }: { sessionId: string; children: ReactNode }) {
  const { openSocket } = useServices();
  const { signedOut } = useAuth();
  const queryClient = useQueryClient();
  const [socket, setSocket] = useState<MiyuSocket | null>(null);

  useEffect(() => {
    const next = openSocket();
    const detach = attachSessionEvents(next, sessionId, {
      onSessionEnded: (reason) => signedOut(reason),
      onServerClosed: () => void queryClient.invalidateQueries({ queryKey: authKeys.session }),
    });
    setSocket(next);
    return () => {
      detach();
      setSocket(null);
    };
  }, [openSocket, sessionId, signedOut, queryClient]);

  return <SocketContext value={socket}>{children}</SocketContext>;
}
