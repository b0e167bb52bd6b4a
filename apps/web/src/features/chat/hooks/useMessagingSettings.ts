import { useQuery } from '@tanstack/react-query';
import { messagingSettingsSchema } from '@miyu/protocol';
import { useApi } from '../../../lib/services';

export const messagingSettingsKey = ['settings', 'messaging'] as const;

/** The org's messaging settings (recall window, notification previews, watermark), readable by every member. */
export function useMessagingSettings() {
  const api = useApi();
  return useQuery({
    queryKey: messagingSettingsKey,
    queryFn: ({ signal }) => api.get('/api/settings/messaging', messagingSettingsSchema, { signal }),
    staleTime: 60_000,
  });
}
