import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttachmentRef } from '@miyu/crypto';
import { Button } from '../../../ui/Button';

/** Images up to this size are decrypted for an inline preview without a click. */
const PREVIEW_MAX_BYTES = 10 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * One encrypted file in a message: name and size, a "save" button that downloads and decrypts it in the
 * browser, and an inline preview for images. A file whose ciphertext fails its digest shows an error.
 */
export function AttachmentView({
  file,
  onOpen,
}: {
  file: AttachmentRef;
  onOpen: (ref: AttachmentRef) => Promise<Blob>;
}) {
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState(false);
  const isImage = file.mimeType.startsWith('image/') && file.size <= PREVIEW_MAX_BYTES;

  useEffect(() => {
    if (!isImage) return;
    let created: string | null = null;
    let live = true;
    onOpen(file).then(
      (blob) => {
        if (!live) return;
        created = URL.createObjectURL(blob);
        setUrl(created);
      },
      () => live && setError(true),
    );
    return () => {
      live = false;
      if (created) URL.revokeObjectURL(created);
    };
  }, [file, isImage, onOpen]);

  const save = () => {
    onOpen(file).then(
      (blob) => {
        const link = document.createElement('a');
        const href = URL.createObjectURL(blob);
        link.href = href;
        link.download = file.name;
        link.click();
        setTimeout(() => URL.revokeObjectURL(href), 10_000);
      },
      () => setError(true),
    );
  };

  return (
    <div className="attachment">
      {url ? <img className="attachment__image" src={url} alt={file.name} /> : null}
      <div className="attachment__row">
        <span className="attachment__name">{file.name}</span>
        <span className="attachment__size">{formatBytes(file.size)}</span>
        <Button size="sm" variant="link" onClick={save} aria-label={t('chats.files.save', { name: file.name })}>
          {t('chats.files.saveShort')}
        </Button>
      </div>
      {error ? (
        <p className="field__error" role="alert">
          {t('chats.files.failed')}
        </p>
      ) : null}
    </div>
  );
}
