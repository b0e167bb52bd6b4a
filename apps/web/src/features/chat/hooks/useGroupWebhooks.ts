import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import type { CreateWebhookRequest, CreatedWebhook, WebhookDto } from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';
import { useApi } from '../../../lib/services';

/** A group's incoming webhooks (docs/integrations.md "Incoming webhooks"), for its owner and admins. */
const webhookSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  botUserId: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  url: z.string(),
  lastPostedAt: z.string().nullable(),
}) satisfies z.ZodType<WebhookDto>;
const webhookListSchema = z.array(webhookSchema);
const createdWebhookSchema = webhookSchema.extend({ secret: z.string().min(1) }) satisfies z.ZodType<CreatedWebhook>;

export const webhookKeys = {
  of: (conversationId: string) => ['chat', 'webhooks', conversationId] as const,
};

const base = (conversationId: string) => `/api/conversations/${encodeURIComponent(conversationId)}/webhooks`;

function listWebhooks(api: ApiClient, conversationId: string, signal?: AbortSignal): Promise<WebhookDto[]> {
  return api.get(base(conversationId), webhookListSchema, { signal });
}

export function useGroupWebhooksQuery(conversationId: string) {
  const api = useApi();
  return useQuery({
    queryKey: webhookKeys.of(conversationId),
    queryFn: ({ signal }) => listWebhooks(api, conversationId, signal),
  });
}

/**
 * Creates a hook. The answer carries the secret this once: the caller takes it from `onSuccess` and resets the
 * mutation, so it is not kept in the mutation cache.
 */
export function useCreateWebhookMutation(conversationId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateWebhookRequest) => api.post(base(conversationId), createdWebhookSchema, { body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.of(conversationId) }),
  });
}

/** Replaces a hook's secret; the new one is in the answer, shown once. */
export function useRotateWebhookMutation(conversationId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (hookId: string) =>
      api.post(`${base(conversationId)}/${encodeURIComponent(hookId)}/rotate-secret`, createdWebhookSchema),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.of(conversationId) }),
  });
}

export function useDeleteWebhookMutation(conversationId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (hookId: string) => api.delete(`${base(conversationId)}/${encodeURIComponent(hookId)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.of(conversationId) }),
  });
}
