import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComplianceKeyDto, CompliancePublicKeyFile } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { ConfirmDialog } from '../../../../ui/ConfirmDialog';
import { TextField } from '../../../../ui/Field';
import { useUploadComplianceKeyMutation } from '../api/compliance.queries';
import { MAX_KEY_FILE_BYTES, readFileText, readKeyFile } from '../utils/keyFile';

export const MAX_KEY_LABEL = 100;
const ACCEPT = '.json,application/json';

export interface KeyUploadFormProps {
  /** The key in use now, if any: uploading another one rotates it out. */
  activeKey: ComplianceKeyDto | null;
}

/**
 * Upload of `compliance-key.public.json`, chosen as a file or pasted. The file's fingerprint is shown to compare with
 * what keygen printed; replacing an active key asks first and says that the old key stays listed.
 */
export function KeyUploadForm({ activeKey }: KeyUploadFormProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const upload = useUploadComplianceKeyMutation();
  const [text, setText] = useState('');
  const [fileError, setFileError] = useState(false);
  const [inputKey, setInputKey] = useState(0);
  const [label, setLabel] = useState('');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState<CompliancePublicKeyFile | null>(null);
  const [uploaded, setUploaded] = useState<{ fingerprint: string; rotated: boolean } | null>(null);
  const reading = readKeyFile(text);
  const labelTrimmed = label.trim();
  const labelError = labelTrimmed.length > MAX_KEY_LABEL ? t('adminCompliance.tooLong', { max: MAX_KEY_LABEL }) : null;
  const keyError =
    reading.kind === 'problem'
      ? t(`adminCompliance.keys.problems.${reading.problem}`, { max: MAX_KEY_FILE_BYTES / 1024 })
      : reading.kind === 'empty' && touched
        ? t('adminCompliance.keys.problems.empty')
        : null;

  const edit = () => {
    setUploaded(null);
    upload.reset();
  };

  const chooseFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    edit();
    setFileError(false);
    if (!file) return;
    if (file.size > MAX_KEY_FILE_BYTES) {
      setText('');
      setFileError(true);
      return;
    }
    readFileText(file).then(setText, () => setFileError(true));
  };

  const send = (key: CompliancePublicKeyFile) => {
    setConfirming(null);
    const rotated = activeKey !== null;
    upload.mutate(
      { publicKey: key, ...(labelTrimmed ? { label: labelTrimmed } : {}) },
      {
        onSuccess: (dto) => {
          setUploaded({ fingerprint: dto.fingerprint, rotated });
          setText('');
          setLabel('');
          setTouched(false);
          setInputKey((n) => n + 1);
        },
      },
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (reading.kind !== 'ok' || labelError) return;
    if (activeKey) setConfirming(reading.key);
    else send(reading.key);
  };

  return (
    <form className="form cp-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 className="card__subtitle" id={`${id}-title`}>
        {activeKey ? t('adminCompliance.keys.rotateTitle') : t('adminCompliance.keys.uploadTitle')}
      </h3>
      <p className="card__text">
        {t('adminCompliance.keys.uploadText', {
          command: 'npm run compliance:keygen',
          file: 'compliance-key.public.json',
        })}
      </p>
      {uploaded ? (
        <Alert tone="success">
          {uploaded.rotated
            ? t('adminCompliance.keys.rotated', { fingerprint: uploaded.fingerprint })
            : t('adminCompliance.keys.uploaded', { fingerprint: uploaded.fingerprint })}
        </Alert>
      ) : null}
      {upload.error ? <Alert tone="error">{describe(upload.error)}</Alert> : null}
      <div className="field">
        <label className="field__label" htmlFor={`${id}-file`}>
          {t('adminCompliance.keys.file')}
        </label>
        <input
          key={inputKey}
          id={`${id}-file`}
          type="file"
          accept={ACCEPT}
          className="cp-file"
          aria-describedby={fileError ? `${id}-file-error` : undefined}
          onChange={chooseFile}
        />
        {fileError ? (
          <p className="field__error" id={`${id}-file-error`}>
            {t('adminCompliance.keys.problems.unreadable', { max: MAX_KEY_FILE_BYTES / 1024 })}
          </p>
        ) : null}
      </div>
      <div className={keyError ? 'field field--invalid' : 'field'}>
        <label className="field__label" htmlFor={`${id}-text`}>
          {t('adminCompliance.keys.paste')}
        </label>
        <textarea
          id={`${id}-text`}
          className="input cp-textarea mono"
          rows={6}
          spellCheck={false}
          value={text}
          aria-invalid={keyError ? true : undefined}
          aria-describedby={keyError ? `${id}-text-error` : `${id}-text-help`}
          onChange={(event) => {
            edit();
            setText(event.target.value);
          }}
        />
        {keyError ? (
          <p className="field__error" id={`${id}-text-error`}>
            {keyError}
          </p>
        ) : (
          <p className="field__help" id={`${id}-text-help`}>
            {t('adminCompliance.keys.pasteHelp')}
          </p>
        )}
      </div>
      {reading.kind === 'ok' ? (
        <p className="cp-fingerprint-preview" aria-live="polite">
          <span>{t('adminCompliance.keys.fileFingerprint')}</span>{' '}
          <code className="mono">{reading.key.fingerprint}</code>
          <span className="field__help">{t('adminCompliance.keys.compareFingerprint')}</span>
        </p>
      ) : null}
      <TextField
        label={t('adminCompliance.keys.label')}
        optional
        help={t('adminCompliance.keys.labelHelp')}
        value={label}
        error={labelError}
        onChange={(event) => {
          edit();
          setLabel(event.target.value);
        }}
      />
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={upload.isPending}>
          {activeKey ? t('adminCompliance.keys.rotate') : t('adminCompliance.keys.upload')}
        </Button>
      </div>
      {confirming && activeKey ? (
        <ConfirmDialog
          title={t('adminCompliance.keys.confirmTitle')}
          body={t('adminCompliance.keys.confirmBody', {
            next: confirming.fingerprint,
            current: activeKey.fingerprint,
          })}
          confirmLabel={t('adminCompliance.keys.rotate')}
          busy={upload.isPending}
          onConfirm={() => send(confirming)}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
    </form>
  );
}
