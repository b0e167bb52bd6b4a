import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { type FilterActionName, filterActionSchema } from '@miyu/protocol';

export const FILTER_ACTIONS: readonly FilterActionName[] = filterActionSchema.options;

/** An action's translated name, coloured by how strongly it interferes with sending. */
export function ActionBadge({ action }: { action: FilterActionName }) {
  const { t } = useTranslation();
  return <span className={`badge wp-action wp-action--${action}`}>{t(`adminWordPolicy.actions.${action}`)}</span>;
}

/** The four actions, each with its one-line explanation (the rules tab shows it as a key). */
export function ActionLegend() {
  const { t } = useTranslation();
  return (
    <dl className="wp-legend">
      {FILTER_ACTIONS.map((action) => (
        <div key={action} className="wp-legend__item">
          <dt>
            <ActionBadge action={action} />
          </dt>
          <dd>{t(`adminWordPolicy.actionHelp.${action}`)}</dd>
        </div>
      ))}
    </dl>
  );
}

export interface ActionChoiceProps {
  legend: string;
  value: FilterActionName;
  onChange: (action: FilterActionName) => void;
}

/** Radio buttons for the action, each explained in one line. */
export function ActionChoice({ legend, value, onChange }: ActionChoiceProps) {
  const { t } = useTranslation();
  const name = useId();
  return (
    <fieldset className="fieldset wp-choice">
      <legend className="field__label">{legend}</legend>
      {FILTER_ACTIONS.map((action) => (
        <label key={action} className="wp-choice__option">
          <input type="radio" name={name} value={action} checked={value === action} onChange={() => onChange(action)} />
          <span>
            <span className="wp-choice__name">{t(`adminWordPolicy.actions.${action}`)}</span>
            <span className="wp-choice__help">{t(`adminWordPolicy.actionHelp.${action}`)}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** A `<select>` of the actions with an "all" entry, for filters. */
export function ActionFilterOptions({ allLabel }: { allLabel: string }) {
  const { t } = useTranslation();
  return (
    <>
      <option value="">{allLabel}</option>
      {FILTER_ACTIONS.map((action) => (
        <option key={action} value={action}>
          {t(`adminWordPolicy.actions.${action}`)}
        </option>
      ))}
    </>
  );
}
