import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuditEntryDto } from '@miyu/protocol';
import { useApi } from '../../../../lib/services';
import {
  auditKeys,
  type AuditFilter,
  type AuditSort,
  getCheckpoint,
  getDepartmentName,
  getEntry,
  getInclusionProof,
  listEntries,
  searchPeople,
} from './audit.api';

export function useAuditEntriesQuery(filter: AuditFilter, sort: AuditSort, limit: number, offset: number) {
  const api = useApi();
  return useQuery({
    queryKey: auditKeys.entries(filter, sort, limit, offset),
    queryFn: ({ signal }) => listEntries(api, filter, sort, limit, offset, signal),
    placeholderData: keepPreviousData,
  });
}

/** One entry by number; `shown` (the row clicked in the list) is shown while it loads. */
export function useAuditEntryQuery(seq: number | null, shown: AuditEntryDto | null) {
  const api = useApi();
  return useQuery({
    queryKey: auditKeys.entry(seq ?? 0),
    queryFn: ({ signal }) => getEntry(api, seq ?? 0, signal),
    enabled: seq !== null,
    placeholderData: shown ?? undefined,
    // Entries never change once written.
    staleTime: Infinity,
  });
}

export function useAuditCheckpointQuery() {
  const api = useApi();
  return useQuery({ queryKey: auditKeys.checkpoint, queryFn: ({ signal }) => getCheckpoint(api, signal) });
}

/** People matching `q` (already debounced); empty queries ask nothing. */
export function usePersonSearchQuery(q: string, source: 'users' | 'directory', limit: number) {
  const api = useApi();
  const trimmed = q.trim();
  return useQuery({
    queryKey: auditKeys.people(trimmed, source),
    queryFn: ({ signal }) => searchPeople(api, trimmed, source, limit, signal),
    enabled: trimmed.length > 0,
    placeholderData: keepPreviousData,
  });
}

export function useDepartmentNameQuery(id: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: auditKeys.department(id ?? ''),
    queryFn: ({ signal }) => getDepartmentName(api, id ?? '', signal),
    enabled: id !== null,
    staleTime: 5 * 60_000,
  });
}

/**
 * Checks that an entry is in the log as signed: a fresh checkpoint (its signature), the entry's leaf hash and the
 * inclusion proof against the checkpoint's root. The check runs in this browser, in a chunk loaded on demand (it
 * needs libsodium).
 */
export function useVerifyInclusionMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (item: AuditEntryDto) => {
      const checkpoint = await queryClient.fetchQuery({
        queryKey: auditKeys.checkpoint,
        queryFn: ({ signal }) => getCheckpoint(api, signal),
        staleTime: 0,
      });
      if (item.entry.seq > checkpoint.checkpoint.size) return { kind: 'not_covered' as const, checkpoint };
      const [proof, { verifyAuditInclusion }] = await Promise.all([
        getInclusionProof(api, item.entry.seq, checkpoint.checkpoint.size),
        import('../utils/verifyInclusion'),
      ]);
      return {
        kind: 'checked' as const,
        checkpoint,
        proof,
        outcome: await verifyAuditInclusion(item, checkpoint, proof),
      };
    },
  });
}
