import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FilterActionName, FilterTestResult } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { useTestTextMutation } from '../api/wordPolicy.queries';
import { ActionBadge } from './ActionBadge';

const MAX_TEST_LENGTH = 10_000;
const STRENGTH: Record<FilterActionName, number> = { block: 4, warn: 3, mask: 2, flag: 1 };

/** What the published policy would do to a text: the strongest action, each hit, and the masked text. */
export function TestTab() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const [text, setText] = useState('');
  const [tested, setTested] = useState<{ text: string; result: FilterTestResult } | null>(null);
  const run = useTestTextMutation();
  const tooLong = text.length > MAX_TEST_LENGTH;

  return (
    <>
      <section className="card">
        <h2 className="card__title">{t('adminWordPolicy.test.title')}</h2>
        <p className="card__text">{t('adminWordPolicy.test.text')}</p>
        <form
          className="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (text === '' || tooLong) return;
            const sent = text;
            run.mutate(sent, { onSuccess: (result) => setTested({ text: sent, result }) });
          }}
        >
          <div className={tooLong ? 'field field--invalid' : 'field'}>
            <label className="field__label" htmlFor={id}>
              {t('adminWordPolicy.test.input')}
            </label>
            <textarea
              id={id}
              className="input wp-textarea"
              rows={5}
              value={text}
              aria-invalid={tooLong || undefined}
              aria-describedby={tooLong ? `${id}-error` : undefined}
              onChange={(event) => setText(event.target.value)}
            />
            {tooLong ? (
              <p className="field__error" id={`${id}-error`}>
                {t('adminWordPolicy.tooLong', { max: MAX_TEST_LENGTH })}
              </p>
            ) : null}
          </div>
          {run.error ? <Alert tone="error">{describe(run.error)}</Alert> : null}
          <div className="form__actions">
            <Button type="submit" variant="primary" disabled={text === '' || tooLong || run.isPending}>
              {run.isPending ? t('adminWordPolicy.test.running') : t('adminWordPolicy.test.run')}
            </Button>
          </div>
        </form>
      </section>

      {tested ? (
        <section className="card" aria-labelledby={`${id}-result`} aria-live="polite">
          <h2 className="card__title" id={`${id}-result`}>
            {t('adminWordPolicy.test.resultTitle')}
          </h2>
          {tested.result.action === null ? (
            <Alert tone="success">{t('adminWordPolicy.test.clean')}</Alert>
          ) : (
            <>
              <p className="wp-result">
                {t('adminWordPolicy.test.strongest')} <ActionBadge action={tested.result.action} />
                <span className="wp-muted">{t(`adminWordPolicy.actionHelp.${tested.result.action}`)}</span>
              </p>
              <div className="field">
                <span className="field__label">{t('adminWordPolicy.test.highlighted')}</span>
                <p className="wp-text">
                  <Highlighted text={tested.text} hits={tested.result.hits} />
                </p>
              </div>
              {tested.result.masked !== tested.text ? (
                <div className="field">
                  <span className="field__label">{t('adminWordPolicy.test.masked')}</span>
                  <p className="wp-text">{tested.result.masked}</p>
                </div>
              ) : null}
              <div className="table-wrap">
                <table className="table">
                  <caption className="wp-caption">
                    {t('adminWordPolicy.test.hitsCaption', { count: tested.result.hits.length })}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('adminWordPolicy.test.columns.text')}</th>
                      <th scope="col">{t('adminWordPolicy.test.columns.rule')}</th>
                      <th scope="col">{t('adminWordPolicy.test.columns.category')}</th>
                      <th scope="col">{t('adminWordPolicy.test.columns.action')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {tested.result.hits.map((hit, index) => (
                      <tr key={`${hit.ruleId}-${hit.start}-${index}`}>
                        <th scope="row">{hit.text}</th>
                        <td className="wp-cell-wrap">{hit.pattern}</td>
                        <td>{hit.category}</td>
                        <td>
                          <ActionBadge action={hit.action} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      ) : null}
    </>
  );
}

interface Segment {
  start: number;
  end: number;
  action: FilterActionName | null;
}

/**
 * Splits the text at hit boundaries (UTF-16 offsets, as the server reports them). Overlapping hits merge into one
 * marked stretch that takes the strongest action among them.
 */
export function highlightSegments(text: string, hits: FilterTestResult['hits']): Segment[] {
  const spans = hits
    .filter((h) => h.start >= 0 && h.end > h.start && h.end <= text.length)
    .sort((a, b) => a.start - b.start);
  const merged: Segment[] = [];
  for (const hit of spans) {
    const last = merged.at(-1);
    if (last && hit.start < last.end) {
      last.end = Math.max(last.end, hit.end);
      if (last.action && STRENGTH[hit.action] > STRENGTH[last.action]) last.action = hit.action;
    } else merged.push({ start: hit.start, end: hit.end, action: hit.action });
  }
  const segments: Segment[] = [];
  let at = 0;
  for (const span of merged) {
    if (span.start > at) segments.push({ start: at, end: span.start, action: null });
    segments.push(span);
    at = span.end;
  }
  if (at < text.length) segments.push({ start: at, end: text.length, action: null });
  return segments;
}

function Highlighted({ text, hits }: { text: string; hits: FilterTestResult['hits'] }) {
  const { t } = useTranslation();
  return (
    <>
      {highlightSegments(text, hits).map((segment) => {
        const part = text.slice(segment.start, segment.end);
        return segment.action ? (
          <mark
            key={segment.start}
            className={`wp-mark wp-mark--${segment.action}`}
            title={t(`adminWordPolicy.actions.${segment.action}`)}
          >
            {part}
          </mark>
        ) : (
          <span key={segment.start}>{part}</span>
        );
      })}
    </>
  );
}
