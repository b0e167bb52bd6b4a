import { useEffect, useState } from 'react';

/**
 * Draws `text` as a QR code PNG data URL. A data: image is allowed by the CSP (img-src data:), so no inline
 * script or style is needed; what it encodes never leaves the browser to be drawn.
 */
export function useQrDataUrl(text: string | null): string | null {
  const [dataUrl, setDataUrl] = useState<{ text: string; url: string } | null>(null);

  useEffect(() => {
    if (!text) return;
    let cancelled = false;
    // Loaded on demand: only people enrolling an authenticator or comparing safety numbers need the QR encoder.
    import('qrcode')
      .then(({ default: QRCode }) => QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 1, width: 368 }))
      .then((url) => {
        if (!cancelled) setDataUrl({ text, url });
      })
      .catch(() => {
        // Without the picture the secret is still shown for manual entry.
      });
    return () => {
      cancelled = true;
    };
  }, [text]);

  return dataUrl && dataUrl.text === text ? dataUrl.url : null;
}
