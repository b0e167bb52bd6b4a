import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CreatedWebhook, WebhookDto } from '@miyu/protocol';
import { formatDateTime } from '../../../lib/format';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { Button } from '../../../ui/Button';
import { ConfirmedActionDialog } from '../../../ui/ConfirmedActionDialog';
import { DataTable } from '../../../ui/DataTable';
import { TextField } from '../../../ui/Field';
import { FormError } from '../../../ui/FormDialog';
import { useConfirmedAction } from '../../../ui/useConfirmedAction';
import {
  useCreateWebhookMutation,
  useDeleteWebhookMutation,
  useGroupWebhooksQuery,
  useRotateWebhookMutation,
} from '../hooks/useGroupWebhooks';
import { WebhookSecretCard } from './WebhookSecretCard';

/** The URL another system posts to: the hook's path on this site. */
function hookUrl(hook: WebhookDto): string {
  const origin = typeof location === 'undefined' ? '' : location.origin;
  return `${origin}/hooks/${encodeURIComponent(hook.id)}`;
}

/**
 * Integrations of a group (its owner and admins only; the server enforces the same): its incoming webhooks, created,
 * rotated and deleted here. A secret is shown once, right after creation or rotation.
 */
export function GroupWebhooksSection({ conversationId }: { conversationId: string }) {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const titleId = useId();
  const list = useGroupWebhooksQuery(conversationId);
  const create = useCreateWebhookMutation(conversationId);
  const rotate = useRotateWebhookMutation(conversationId);
  const remove = useDeleteWebhookMutation(conversationId);
  const [name, setName] = useState('');
  const [avatarUrl, setAvatarUrl] = useState('');
  const [shown, setShown] = useState<{ hook: CreatedWebhook; reason: 'created' | 'rotated' } | null>(null);
  const rotation = useConfirmedAction<WebhookDto, CreatedWebhook>(rotate, (hook) => {
    rotate.reset();
    setShown({ hook, reason: 'rotated' });
  });
  const deletion = useConfirmedAction<WebhookDto>(remove);
  const when = (iso: string | null) => (iso ? formatDateTime(iso, i18n.language) : t('chats.webhooks.never'));
  const error = create.error ?? rotate.error ?? remove.error ?? list.error;
  const busy = create.isPending || rotate.isPending || remove.isPending;

  return (
    <section className="group-webhooks" aria-labelledby={titleId}>
      <h3 className="card__title" id={titleId}>
        {t('chats.webhooks.title')}
      </h3>
      <p className="card__text">{t('chats.webhooks.intro')}</p>
      <FormError error={error ? describe(error) : null} />
      {shown ? (
        <WebhookSecretCard
          name={shown.hook.name}
          url={hookUrl(shown.hook)}
          secret={shown.hook.secret}
          reason={shown.reason}
          onDone={() => setShown(null)}
        />
      ) : null}
      <DataTable
        caption={t('chats.webhooks.list')}
        columns={[t('chats.webhooks.name'), t('chats.webhooks.createdAt'), t('chats.webhooks.lastPostedAt')]}
        actions={t('chats.webhooks.actions')}
        rows={list.data ?? []}
        empty={list.isSuccess ? t('chats.webhooks.empty') : undefined}
        renderRow={(hook) => (
          <tr key={hook.id}>
            <td>{hook.name}</td>
            <td>{when(hook.createdAt)}</td>
            <td>{when(hook.lastPostedAt)}</td>
            <td className="table__actions">
              <Button
                size="sm"
                variant="ghost"
                disabled={busy}
                aria-label={t('chats.webhooks.rotateNamed', { name: hook.name })}
                onClick={() => rotation.ask(hook)}
              >
                {t('chats.webhooks.rotate')}
              </Button>
              <Button
                size="sm"
                variant="danger"
                disabled={busy}
                aria-label={t('chats.webhooks.deleteNamed', { name: hook.name })}
                onClick={() => deletion.ask(hook)}
              >
                {t('chats.webhooks.delete')}
              </Button>
            </td>
          </tr>
        )}
      />
      <form
        className="inline-form"
        aria-label={t('chats.webhooks.create')}
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = name.trim();
          if (!trimmed) return;
          const avatar = avatarUrl.trim();
          create.mutate(
            { name: trimmed, ...(avatar ? { avatarUrl: avatar } : {}) },
            {
              onSuccess: (hook) => {
                create.reset();
                setName('');
                setAvatarUrl('');
                setShown({ hook, reason: 'created' });
              },
            },
          );
        }}
      >
        <TextField
          label={t('chats.webhooks.name')}
          value={name}
          maxLength={64}
          onChange={(event) => setName(event.target.value)}
        />
        <TextField
          label={t('chats.webhooks.avatarUrl')}
          optional
          value={avatarUrl}
          maxLength={1000}
          placeholder="https://"
          onChange={(event) => setAvatarUrl(event.target.value)}
        />
        <Button type="submit" disabled={busy || !name.trim()}>
          {t('chats.webhooks.create')}
        </Button>
      </form>
      <ConfirmedActionDialog
        action={rotation}
        title={(hook) => t('chats.webhooks.rotateTitle', { name: hook.name })}
        body={() => t('chats.webhooks.rotateBody')}
        confirmLabel={t('chats.webhooks.rotate')}
      />
      <ConfirmedActionDialog
        action={deletion}
        title={(hook) => t('chats.webhooks.deleteTitle', { name: hook.name })}
        body={() => t('chats.webhooks.deleteBody')}
        confirmLabel={t('chats.webhooks.delete')}
      />
    </section>
  );
}
