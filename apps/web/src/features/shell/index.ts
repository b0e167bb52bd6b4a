export { AppFrame } from './containers/AppFrame';
export { NotFoundPage } from './containers/NotFoundPage';
