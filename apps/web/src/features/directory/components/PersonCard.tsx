import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { PersonCardDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { ChatIcon } from '../../../ui/icons';
import { initials } from '../../../lib/format';
import { LegalHoldBadge } from '../../compliance';

export interface PersonCardProps {
  card: PersonCardDto;
  onOpenPerson: (personId: string) => void;
  onOpenDepartment: (departmentId: string) => void;
  /** Opens the direct conversation; null on one's own card. */
  onMessage: (() => void) | null;
  /** The chat client is still starting, or the conversation is being opened. */
  messageBusy: boolean;
  /** People under legal hold: marked on the card and next to the manager. */
  heldUserIds?: ReadonlySet<string>;
}

/** A colleague's card. Contact details are shown only when the server sends them (an org setting). */
export function PersonCard({
  card,
  onOpenPerson,
  onOpenDepartment,
  onMessage,
  messageBusy,
  heldUserIds,
}: PersonCardProps) {
  const { t } = useTranslation();
  const nameId = useId();
  const titles = [...new Set(card.departments.map((d) => d.title).filter((x): x is string => !!x))];
  const headline = card.title ?? titles[0] ?? null;
  const { manager } = card;
  return (
    <article className="card person-card" aria-labelledby={nameId}>
      <header className="person-card__header">
        <span className="avatar avatar--lg" aria-hidden="true">
          {initials(card.displayName)}
        </span>
        <div className="person-card__who">
          <div className="person-card__name-row">
            <h1 className="person-card__name" id={nameId}>
              {card.displayName}
            </h1>
            {heldUserIds?.has(card.id) ? <LegalHoldBadge /> : null}
          </div>
          {headline ? <p className="person-card__title">{headline}</p> : null}
        </div>
        <div className="person-card__actions">
          {onMessage ? (
            <Button variant="primary" disabled={messageBusy} onClick={onMessage}>
              <ChatIcon width={16} height={16} />
              {t('directory.person.message')}
            </Button>
          ) : null}
        </div>
      </header>
      <dl className="facts">
        <div>
          <dt>{t('fields.employeeNo')}</dt>
          <dd>{card.employeeNo ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('directory.person.manager')}</dt>
          <dd>
            {manager ? (
              <>
                <Button variant="link" onClick={() => onOpenPerson(manager.id)}>
                  {manager.displayName}
                </Button>
                {heldUserIds?.has(manager.id) ? <LegalHoldBadge /> : null}
              </>
            ) : (
              '—'
            )}
          </dd>
        </div>
        <div>
          <dt>{t('fields.email')}</dt>
          <dd>{card.email ? <a href={`mailto:${card.email}`}>{card.email}</a> : t('directory.person.notShown')}</dd>
        </div>
        <div>
          <dt>{t('fields.phone')}</dt>
          <dd>{card.phone ? <a href={`tel:${card.phone}`}>{card.phone}</a> : t('directory.person.notShown')}</dd>
        </div>
      </dl>
      <section className="person-card__section">
        <h2 className="card__title">{t('directory.person.departments')}</h2>
        {card.departments.length === 0 ? <p className="empty">{t('directory.person.noDepartments')}</p> : null}
        <ul className="person-card__departments">
          {card.departments.map((membership) => (
            <li key={membership.departmentId}>
              <Button variant="link" onClick={() => onOpenDepartment(membership.departmentId)}>
                {membership.departmentName}
              </Button>
              {membership.title ? <span className="person-card__dept-title">{membership.title}</span> : null}
              {membership.primary ? <span className="badge badge--success">{t('directory.primaryTag')}</span> : null}
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
