export { LegalHoldBadge } from './components/LegalHoldBadge';
export { useHeldUserIds } from './hooks/useHeldUserIds';
export { complianceNoticeKey } from './api/notice.api';
