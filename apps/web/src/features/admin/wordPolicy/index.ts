export { AdminWordPolicyPage } from './AdminWordPolicyPage';
