import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AUDIT_ENTITY_TYPES, auditActionSchema, auditEntityTypeSchema } from '@miyu/protocol';
import { Button } from '../../../../ui/Button';
import { SelectField, TextField } from '../../../../ui/Field';
import { AUDIT_ACTION_GROUPS, type AuditView, isAccount, rangeValid } from '../utils/auditUrl';
import { actionLabel, entityTypeLabel } from './labels';
import { PersonPicker } from './PersonPicker';

export interface AuditFiltersProps {
  view: AuditView;
  /** The department filter's current name (null while it loads or if it is gone). */
  departmentName: string | null;
  personSource: 'users' | 'directory';
  onChange: (change: Partial<AuditView>) => void;
  onReset: () => void;
}

/** Time range, person, action, entity, department and result; every change goes to the URL at once. */
export function AuditFilters({ view, departmentName, personSource, onChange, onReset }: AuditFiltersProps) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminAudit.filters.title')}
      </h2>
      <div className="audit-filters">
        <TextField
          label={t('adminAudit.filters.from')}
          type="date"
          value={view.fromDate}
          onChange={(event) => onChange({ fromDate: event.target.value })}
        />
        <TextField
          label={t('adminAudit.filters.to')}
          type="date"
          value={view.toDate}
          error={rangeValid(view) ? null : t('adminAudit.filters.rangeInvalid')}
          onChange={(event) => onChange({ toDate: event.target.value })}
        />
        <SelectField
          label={t('adminAudit.filters.action')}
          value={view.action ?? ''}
          onChange={(event) => {
            const parsed = auditActionSchema.safeParse(event.target.value);
            onChange({ action: parsed.success ? parsed.data : null });
          }}
        >
          <option value="">{t('adminAudit.filters.allActions')}</option>
          {AUDIT_ACTION_GROUPS.map(({ group, actions }) => (
            <optgroup key={group} label={t(`adminAudit.actionGroups.${group}`)}>
              {actions.map((action) => (
                <option key={action} value={action}>
                  {actionLabel(t, action)}
                </option>
              ))}
            </optgroup>
          ))}
        </SelectField>
        <SelectField
          label={t('adminAudit.filters.result')}
          value={view.result ?? ''}
          onChange={(event) => {
            const value = event.target.value;
            onChange({ result: value === 'success' || value === 'failure' ? value : null });
          }}
        >
          <option value="">{t('adminAudit.filters.results.all')}</option>
          <option value="success">{t('adminAudit.filters.results.success')}</option>
          <option value="failure">{t('adminAudit.filters.results.failure')}</option>
        </SelectField>
        <PersonPicker
          label={t('adminAudit.filters.actor')}
          removeLabel={(name) => t('adminAudit.filters.removeActor', { name })}
          help={t('adminAudit.filters.actorHelp')}
          source={personSource}
          value={view.actorId ? { id: view.actorId, name: view.actorName } : null}
          onChange={(person) => onChange({ actorId: person?.id ?? null, actorName: person?.name ?? null })}
        />
        <SelectField
          label={t('adminAudit.filters.entityType')}
          value={view.entityType ?? ''}
          onChange={(event) => {
            const parsed = auditEntityTypeSchema.safeParse(event.target.value);
            // An id of one type means nothing for another.
            onChange({ entityType: parsed.success ? parsed.data : null, entityId: '', entityName: null });
          }}
        >
          <option value="">{t('adminAudit.filters.allEntityTypes')}</option>
          {AUDIT_ENTITY_TYPES.map((type) => (
            <option key={type} value={type}>
              {entityTypeLabel(t, type)}
            </option>
          ))}
        </SelectField>
        {view.entityType === 'user' && (view.entityId === '' || isAccount(view)) ? (
          <PersonPicker
            label={t('adminAudit.filters.account')}
            removeLabel={(name) => t('adminAudit.filters.removeAccount', { name })}
            source={personSource}
            value={view.entityId ? { id: view.entityId, name: view.entityName } : null}
            onChange={(person) => onChange({ entityId: person?.id ?? '', entityName: person?.name ?? null })}
          />
        ) : (
          <EntityIdField value={view.entityId} onCommit={(entityId) => onChange({ entityId })} />
        )}
      </div>
      {view.departmentId ? (
        <ul className="audit-chips" aria-label={t('adminAudit.filters.picked')}>
          <li className="audit-chip">
            <span>{t('adminAudit.filters.departmentChip', { name: departmentName ?? view.departmentId })}</span>
            <Button
              size="sm"
              variant="ghost"
              aria-label={t('adminAudit.filters.removeDepartment', { name: departmentName ?? view.departmentId })}
              onClick={() => onChange({ departmentId: null })}
            >
              {t('adminAudit.filters.remove')}
            </Button>
          </li>
        </ul>
      ) : null}
      <p className="field__help">{t('adminAudit.filters.departmentHelp')}</p>
      <div className="form__actions">
        <Button variant="ghost" onClick={onReset}>
          {t('adminAudit.filters.reset')}
        </Button>
      </div>
    </section>
  );
}

/** Ids are pasted or typed whole: the filter applies on Enter or when the field is left, not per keystroke. */
function EntityIdField({ value, onCommit }: { value: string; onCommit: (value: string) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(value);
  const [shown, setShown] = useState(value);
  // Follow the URL when it changes from elsewhere (reset, a link in an entry).
  if (value !== shown) {
    setShown(value);
    setText(value);
  }
  const commit = () => {
    const next = text.trim();
    if (next !== value) onCommit(next);
  };
  return (
    <TextField
      label={t('adminAudit.filters.entityId')}
      optional
      help={t('adminAudit.filters.entityIdHelp')}
      maxLength={200}
      spellCheck={false}
      autoComplete="off"
      value={text}
      onChange={(event) => setText(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          commit();
        }
      }}
    />
  );
}
