import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useChat } from './useChat';

/** Opens (creating if needed) the direct conversation with a person and shows it. */
export function useStartDirectChat(): {
  start: (userId: string) => void;
  ready: boolean;
  busy: boolean;
  error: unknown;
} {
  const { engine } = useChat();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return {
    ready: engine !== null,
    busy,
    error,
    start: (userId) => {
      if (!engine) return;
      setBusy(true);
      setError(null);
      engine
        .openDirect(userId)
        .then((c) => navigate(`/chats/${c.id}`))
        .catch(setError)
        .finally(() => setBusy(false));
    },
  };
}
