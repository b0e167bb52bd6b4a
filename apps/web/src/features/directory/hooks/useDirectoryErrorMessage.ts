import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../../lib/apiClient';
import { errorMessage } from '../../../lib/errorMessage';

const NOT_EMPTY_REASONS = ['members', 'subdepartments', 'group'] as const;

/**
 * Like useErrorMessage, but says exactly why a department cannot be deleted: the server names the reason in the
 * details of DEPARTMENT_NOT_EMPTY (`{ path: 'reason', message: 'members' | 'subdepartments' | 'group' }`).
 */
export function useDirectoryErrorMessage(): (error: unknown) => string {
  const { i18n } = useTranslation();
  return useCallback(
    (error: unknown) => {
      if (isApiError(error) && error.code === 'DEPARTMENT_NOT_EMPTY') {
        const reason = error.details.find((d) => d.path === 'reason')?.message;
        const known = NOT_EMPTY_REASONS.find((r) => r === reason);
        if (known) return i18n.t(`directory.notEmpty.${known}`);
      }
      return errorMessage(i18n, error);
    },
    [i18n],
  );
}
