import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { useApi } from '../../../lib/services';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { Alert } from '../../../ui/Alert';
import { useMessagingSettings } from '../../chat';

const preferenceSchema = z.object({ hideReadReceipts: z.boolean() });
const key = ['settings', 'read-receipts'] as const;

/**
 * The personal read-receipts switch, offered only when the org lets people turn receipts off. Hiding one's own
 * also hides everyone else's from oneself.
 */
export function ReadReceiptsPreference() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const api = useApi();
  const queryClient = useQueryClient();
  const settings = useMessagingSettings();
  const preference = useQuery({
    queryKey: key,
    queryFn: () => api.get('/api/me/read-receipts', preferenceSchema),
    enabled: settings.data?.receiptsPolicy === 'optional',
  });
  const save = useMutation({
    mutationFn: (hideReadReceipts: boolean) =>
      api.put('/api/me/read-receipts', preferenceSchema, { body: { hideReadReceipts } }),
    onSuccess: (data) => queryClient.setQueryData(key, data),
  });
  if (settings.data?.receiptsPolicy !== 'optional' || !preference.data) return null;
  return (
    <section className="card">
      <h2 className="card__title">{t('profile.receipts.title')}</h2>
      {save.error ? <Alert tone="error">{describe(save.error)}</Alert> : null}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={preference.data.hideReadReceipts}
          disabled={save.isPending}
          onChange={(event) => save.mutate(event.target.checked)}
        />
        <span>{t('profile.receipts.hide')}</span>
      </label>
      <p className="card__text">{t('profile.receipts.help')}</p>
    </section>
  );
}
