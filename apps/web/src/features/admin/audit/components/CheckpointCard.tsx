import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SignedAuditCheckpoint } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { useCopyToClipboard } from '../../../../ui/useCopyToClipboard';
import { Spinner } from '../../../../ui/Spinner';
import { groupHex, keyFingerprint, shortHash } from '../utils/fingerprint';

export const VERIFY_COMMAND = 'npm run audit:verify -- <file>';

export interface CheckpointCardProps {
  checkpoint: SignedAuditCheckpoint | undefined;
  loading: boolean;
  error: unknown;
}

/** The latest signed tree head: what an export is verified against, and the key that signed it. */
export function CheckpointCard({ checkpoint, loading, error }: CheckpointCardProps) {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const fingerprint = useFingerprint(checkpoint?.publicKey ?? null);
  const { state: copied, copy: copyRoot } = useCopyToClipboard();
  return (
    <section className="card audit-checkpoint" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminAudit.checkpoint.title')}
      </h2>
      <p className="card__text">{t('adminAudit.checkpoint.text')}</p>
      {error ? <Alert tone="error">{describe(error)}</Alert> : null}
      {loading ? <Spinner label={t('common.loading')} /> : null}
      {checkpoint ? (
        <dl className="audit-kv">
          <div className="audit-kv__row">
            <dt>{t('adminAudit.checkpoint.size')}</dt>
            <dd>{t('adminAudit.checkpoint.entries', { count: checkpoint.checkpoint.size })}</dd>
          </div>
          <div className="audit-kv__row">
            <dt>{t('adminAudit.checkpoint.root')}</dt>
            <dd className="audit-checkpoint__root">
              <code title={checkpoint.checkpoint.root}>{shortHash(checkpoint.checkpoint.root)}</code>
              <Button
                size="sm"
                variant="ghost"
                aria-label={t('adminAudit.checkpoint.copyRoot')}
                onClick={() => copyRoot(checkpoint.checkpoint.root)}
              >
                {t('adminAudit.checkpoint.copy')}
              </Button>
              <span className="field__help" role="status">
                {copied === 'copied' ? t('adminAudit.checkpoint.copied') : null}
                {copied === 'failed' ? t('adminAudit.checkpoint.copyFailed') : null}
              </span>
            </dd>
          </div>
          <div className="audit-kv__row">
            <dt>{t('adminAudit.checkpoint.time')}</dt>
            <dd>
              <time dateTime={checkpoint.checkpoint.time}>
                {formatDateTime(checkpoint.checkpoint.time, i18n.language)}
              </time>
            </dd>
          </div>
          <div className="audit-kv__row">
            <dt>{t('adminAudit.checkpoint.fingerprint')}</dt>
            <dd>
              {fingerprint.status === 'done' ? (
                <code className="audit-hash">{groupHex(fingerprint.hex)}</code>
              ) : fingerprint.status === 'unavailable' ? (
                <span className="audit-absent">{t('adminAudit.checkpoint.fingerprintUnavailable')}</span>
              ) : (
                <span className="audit-absent">…</span>
              )}
            </dd>
          </div>
        </dl>
      ) : null}
      <div className="audit-command">
        <p>{t('adminAudit.checkpoint.verifyHelp')}</p>
        <code className="audit-command__line">{VERIFY_COMMAND}</code>
      </div>
    </section>
  );
}

type FingerprintState = { status: 'pending' } | { status: 'done'; hex: string } | { status: 'unavailable' };

/** SHA-256 of the checkpoint key, computed here (WebCrypto) rather than taken from the server's word. */
function useFingerprint(publicKey: string | null): FingerprintState {
  const [state, setState] = useState<{ key: string | null; value: FingerprintState }>({
    key: null,
    value: { status: 'pending' },
  });
  useEffect(() => {
    if (!publicKey) return;
    let live = true;
    keyFingerprint(publicKey).then(
      (hex) => live && setState({ key: publicKey, value: hex ? { status: 'done', hex } : { status: 'unavailable' } }),
      () => live && setState({ key: publicKey, value: { status: 'unavailable' } }),
    );
    return () => {
      live = false;
    };
  }, [publicKey]);
  return state.key === publicKey ? state.value : { status: 'pending' };
}
