import { useTranslation } from 'react-i18next';
import { Button } from './Button';

export interface PagerProps {
  offset: number;
  pageSize: number;
  /** Items shown on the current page. */
  shown: number;
  total: number;
  onOffsetChange: (offset: number) => void;
}

/** "21–40 of 95" with previous/next buttons, for offset-paged lists. */
export function Pager({ offset, pageSize, shown, total, onOffsetChange }: PagerProps) {
  const { t } = useTranslation();
  return (
    <nav className="pager" aria-label={t('adminUsers.pagination')}>
      <span className="pager__range">
        {t('adminUsers.range', { from: Math.min(offset + 1, total), to: Math.min(offset + shown, total), total })}
      </span>
      <Button size="sm" disabled={offset === 0} onClick={() => onOffsetChange(Math.max(0, offset - pageSize))}>
        {t('adminUsers.prev')}
      </Button>
      <Button size="sm" disabled={offset + pageSize >= total} onClick={() => onOffsetChange(offset + pageSize)}>
        {t('adminUsers.next')}
      </Button>
    </nav>
  );
}
