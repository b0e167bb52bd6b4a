import { useEffect, useMemo } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../../lib/services';
import { useSocket } from '../../realtime';
import { complianceNoticeKey, getComplianceNotice } from '../api/notice.api';

const NO_ONE: ReadonlySet<string> = new Set();

/**
 * People under legal hold, from the org's compliance notice (for the marker next to them). Read again when the
 * window regains focus and when the server says compliance settings changed (`compliance:changed` on the session
 * socket). Empty while loading or when the notice cannot be read: the marker is informational.
 */
export function useHeldUserIds(): ReadonlySet<string> {
  const api = useApi();
  const queryClient = useQueryClient();
  const socket = useSocket();
  const notice = useQuery({
    queryKey: complianceNoticeKey,
    queryFn: ({ signal }) => getComplianceNotice(api, signal),
    refetchOnWindowFocus: true,
  });

  useEffect(() => {
    if (!socket) return;
    // Several components on screen listen at once: the first one starts the fetch, the others join it.
    const onChanged = () =>
      void queryClient.invalidateQueries({ queryKey: complianceNoticeKey }, { cancelRefetch: false });
    socket.on('compliance:changed', onChanged);
    return () => {
      socket.off('compliance:changed', onChanged);
    };
  }, [socket, queryClient]);

  const held = notice.data?.heldUserIds;
  return useMemo(() => (held ? new Set(held) : NO_ONE), [held]);
}
