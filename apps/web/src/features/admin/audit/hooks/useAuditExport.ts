import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditExportFormat, AuditFilter } from '../api/audit.api';
import { downloadAuditExport, type ExportProgress, saveFile } from '../api/auditExport';

export type ExportState =
  | { status: 'idle' }
  | { status: 'running'; progress: ExportProgress }
  | { status: 'saved'; fileName: string; progress: ExportProgress }
  | { status: 'cancelled' }
  | { status: 'failed'; error: unknown };

/** One export at a time: start, watch the progress, cancel; leaving the page cancels too. */
export function useAuditExport() {
  const [state, setState] = useState<ExportState>({ status: 'idle' });
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback((filter: AuditFilter, format: AuditExportFormat) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    let latest: ExportProgress = { format, total: null, entries: null, bytes: 0 };
    setState({ status: 'running', progress: latest });
    downloadAuditExport({
      filter,
      format,
      signal: abort.signal,
      onProgress: (progress) => {
        latest = progress;
        if (!abort.signal.aborted) setState({ status: 'running', progress });
      },
    }).then(
      (file) => {
        if (abort.signal.aborted) return;
        try {
          saveFile(file);
          setState({ status: 'saved', fileName: file.fileName, progress: latest });
        } catch (error) {
          setState({ status: 'failed', error });
        }
      },
      (error: unknown) => {
        if (controller.current !== abort) return;
        setState(abort.signal.aborted ? { status: 'cancelled' } : { status: 'failed', error });
      },
    );
  }, []);

  const cancel = useCallback(() => {
    controller.current?.abort();
    setState({ status: 'cancelled' });
  }, []);

  return { state, start, cancel };
}
