import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { FilterOptionsDto } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { useSetOptionsMutation } from '../api/wordPolicy.queries';

const OPTIONS: ReadonlyArray<keyof FilterOptionsDto> = ['foldTraditional', 'skipSeparators'];

export interface SettingsTabProps {
  options: FilterOptionsDto;
  onPublished: (version: number) => void;
}

/** How text is compared with the words; each switch publishes a new version at once. */
export function SettingsTab({ options, onPublished }: SettingsTabProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const save = useSetOptionsMutation();
  // While a change is on its way, show it; the status query brings the saved value back.
  const shown: FilterOptionsDto = save.isPending ? { ...options, ...save.variables } : options;

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminWordPolicy.settings.title')}
      </h2>
      <p className="card__text">{t('adminWordPolicy.settings.text')}</p>
      {save.error ? <Alert tone="error">{describe(save.error)}</Alert> : null}
      {OPTIONS.map((option) => (
        <div key={option} className="wp-switch-row">
          <label className="wp-switch">
            <input
              type="checkbox"
              role="switch"
              checked={shown[option]}
              disabled={save.isPending}
              aria-describedby={`${id}-${option}`}
              onChange={(event) =>
                save.mutate({ [option]: event.target.checked }, { onSuccess: (p) => onPublished(p.version) })
              }
            />
            <span className="wp-switch__track" aria-hidden="true" />
            <span className="wp-switch__label">{t(`adminWordPolicy.settings.${option}`)}</span>
          </label>
          <p className="field__help" id={`${id}-${option}`}>
            {t(`adminWordPolicy.settings.${option}Help`)}
          </p>
        </div>
      ))}
    </section>
  );
}
