export { OidcSignInCard } from './OidcSignInCard';
