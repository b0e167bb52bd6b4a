import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_FILTER_WORD_LENGTH } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { DataTable } from '../../../../ui/DataTable';
import { TextField } from '../../../../ui/Field';
import { FormError } from '../../../../ui/FormDialog';
import { SearchIcon } from '../../../../ui/icons';
import { Spinner } from '../../../../ui/Spinner';
import {
  useAddAllowedPhraseMutation,
  useAllowedPhrasesQuery,
  useDeleteAllowedPhraseMutation,
} from '../api/wordPolicy.queries';
import { placeServerError } from '../utils/serverErrors';

/** The list can hold 10,000 phrases; it is filtered here and drawn up to this many. */
const PHRASES_SHOWN = 200;

export interface WhitelistTabProps {
  onPublished: (version: number) => void;
}

/** Allowed phrases: a hit that lies inside one of them is not a hit (学习 when 习 is a word). */
export function WhitelistTab({ onPublished }: WhitelistTabProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const list = useAllowedPhrasesQuery();
  const add = useAddAllowedPhraseMutation();
  const remove = useDeleteAllowedPhraseMutation();
  const [phrase, setPhrase] = useState('');
  const [checked, setChecked] = useState(false);
  const [filter, setFilter] = useState('');

  const value = phrase.trim();
  const localError = !checked
    ? null
    : value === ''
      ? t('adminWordPolicy.required')
      : value.length > MAX_FILTER_WORD_LENGTH
        ? t('adminWordPolicy.tooLong', { max: MAX_FILTER_WORD_LENGTH })
        : null;
  const server = placeServerError(t, describe, add.error, {
    fields: ['phrase'] as const,
    subject: 'phrase',
    exists: t('adminWordPolicy.whitelist.exists'),
  });

  const needle = filter.trim().toLowerCase();
  const phrases = list.data ?? [];
  const matching = needle ? phrases.filter((p) => p.phrase.toLowerCase().includes(needle)) : phrases;
  const shown = matching.slice(0, PHRASES_SHOWN);

  return (
    <>
      <section className="card">
        <h2 className="card__title">{t('adminWordPolicy.whitelist.title')}</h2>
        <p className="card__text">{t('adminWordPolicy.whitelist.text')}</p>
        <form
          className="wp-inline-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setChecked(true);
            if (value === '' || value.length > MAX_FILTER_WORD_LENGTH) return;
            add.mutate(value, {
              onSuccess: (published) => {
                setPhrase('');
                setChecked(false);
                onPublished(published.version);
              },
            });
          }}
        >
          <TextField
            label={t('adminWordPolicy.whitelist.phrase')}
            autoComplete="off"
            value={phrase}
            error={localError ?? server.fields.phrase ?? null}
            onChange={(event) => {
              setPhrase(event.target.value);
              add.reset();
            }}
          />
          <Button type="submit" variant="primary" disabled={add.isPending}>
            {t('adminWordPolicy.whitelist.add')}
          </Button>
        </form>
        <FormError error={server.form} />
      </section>

      {remove.error ? <Alert tone="error">{describe(remove.error)}</Alert> : null}
      {list.error ? <Alert tone="error">{describe(list.error)}</Alert> : null}

      <section className="card card--flush">
        {phrases.length > 0 ? (
          <div className="wp-card-toolbar">
            <label className="search">
              <SearchIcon width={18} height={18} />
              <span className="visually-hidden">{t('adminWordPolicy.whitelist.filter')}</span>
              <input
                type="search"
                className="search__input"
                placeholder={t('adminWordPolicy.whitelist.filter')}
                value={filter}
                onChange={(event) => setFilter(event.target.value)}
              />
            </label>
          </div>
        ) : null}
        {list.isPending ? <Spinner label={t('common.loading')} /> : null}
        <DataTable
          caption={t('adminWordPolicy.whitelist.table')}
          columns={[t('adminWordPolicy.whitelist.phrase')]}
          actions={t('adminWordPolicy.rules.columns.actions')}
          rows={shown}
          empty={
            list.data
              ? phrases.length === 0
                ? t('adminWordPolicy.whitelist.empty')
                : t('adminWordPolicy.whitelist.noMatch')
              : null
          }
          renderRow={(item) => (
            <tr key={item.id}>
              <th scope="row">{item.phrase}</th>
              <td className="table__actions">
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={remove.isPending && remove.variables === item.id}
                  aria-label={`${t('adminWordPolicy.rules.delete')} · ${item.phrase}`}
                  onClick={() => remove.mutate(item.id, { onSuccess: (published) => onPublished(published.version) })}
                >
                  {t('adminWordPolicy.rules.delete')}
                </Button>
              </td>
            </tr>
          )}
        />
        {shown.length < matching.length ? (
          <p className="card__footnote">
            {t('adminWordPolicy.shownOf', { shown: shown.length, total: matching.length })}
          </p>
        ) : null}
      </section>
    </>
  );
}
