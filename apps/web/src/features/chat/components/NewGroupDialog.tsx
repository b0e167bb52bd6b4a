import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { searchPageSchema, type SearchHitDto } from '@miyu/protocol';
import { initials } from '../../../lib/format';
import { useApi } from '../../../lib/services';
import { useDebouncedValue } from '../../../lib/useDebouncedValue';
import { TextField } from '../../../ui/Field';
import { FormDialog } from '../../../ui/FormDialog';

export interface NewGroupDialogProps {
  currentUserId: string;
  /** `add`: pick people to add to an existing group (no name). */
  mode?: 'create' | 'add';
  /** The group's name, in `add` mode. */
  groupName?: string;
  /** People not to offer (already members). */
  exclude?: readonly string[];
  busy: boolean;
  error: string | null;
  onCreate: (values: { name: string; memberIds: string[] }) => void;
  onCancel: () => void;
}

/** Name a group and pick its members from the directory (name, pinyin, initials, employee number). */
export function NewGroupDialog({
  currentUserId,
  mode = 'create',
  groupName = '',
  exclude = [],
  busy,
  error,
  onCreate,
  onCancel,
}: NewGroupDialogProps) {
  const { t } = useTranslation();
  const api = useApi();
  const [name, setName] = useState('');
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<SearchHitDto[]>([]);
  const [invalid, setInvalid] = useState<string | null>(null);
  const q = useDebouncedValue(search.trim(), 250);
  const hits = useQuery({
    queryKey: ['chat', 'group-picker', q],
    queryFn: ({ signal }) => api.get('/api/directory/search', searchPageSchema, { query: { q, limit: 8 }, signal }),
    enabled: q.length > 0,
  });
  const toggle = (hit: SearchHitDto) =>
    setPicked((list) => (list.some((p) => p.id === hit.id) ? list.filter((p) => p.id !== hit.id) : [...list, hit]));

  return (
    <FormDialog
      title={mode === 'add' ? t('chats.members.addTitle', { name: groupName }) : t('chats.newGroup.title')}
      error={error}
      submitLabel={
        mode === 'add'
          ? t('chats.members.addSubmit', { count: picked.length })
          : t('chats.newGroup.create', { count: picked.length + 1 })
      }
      submitDisabled={busy || picked.length === 0}
      onCancel={onCancel}
      onSubmit={() => {
        if (mode === 'add') {
          onCreate({ name: '', memberIds: picked.map((p) => p.id) });
          return;
        }
        const trimmed = name.trim();
        if (trimmed === '' || trimmed.length > 100 || /[\r\n]/.test(trimmed)) {
          setInvalid(t('chats.newGroup.nameInvalid'));
          return;
        }
        onCreate({ name: trimmed, memberIds: picked.map((p) => p.id) });
      }}
    >
      {mode === 'create' ? (
        <TextField
          label={t('chats.newGroup.name')}
          value={name}
          error={invalid}
          autoComplete="off"
          onChange={(event) => setName(event.target.value)}
        />
      ) : null}
      {picked.length > 0 ? (
        <ul className="chip-list" aria-label={t('chats.newGroup.picked')}>
          {picked.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="chip"
                onClick={() => toggle(p)}
                aria-label={t('chats.newGroup.unpick', { name: p.displayName })}
              >
                {p.displayName} ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <TextField
        label={t('chats.newGroup.find')}
        type="search"
        autoComplete="off"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <ul className="pick-list" aria-label={t('chats.newGroup.results')}>
        {(hits.data?.items ?? [])
          .filter((hit) => hit.id !== currentUserId && !exclude.includes(hit.id))
          .map((hit) => {
            const selected = picked.some((p) => p.id === hit.id);
            return (
              <li key={hit.id}>
                <button
                  type="button"
                  className={selected ? 'person-row is-selected' : 'person-row'}
                  aria-pressed={selected}
                  onClick={() => toggle(hit)}
                >
                  <span className="avatar avatar--sm" aria-hidden="true">
                    {initials(hit.displayName)}
                  </span>
                  <span className="person-row__name">{hit.displayName}</span>
                  <span className="person-row__sub">
                    {[hit.title, hit.primaryDepartment?.name].filter(Boolean).join(' · ')}
                  </span>
                </button>
              </li>
            );
          })}
      </ul>
    </FormDialog>
  );
}
