export { AppFrame } from './containers/AppFrame';
export { ChatsPage } from './containers/ChatsPage';
export { NotFoundPage } from './containers/NotFoundPage';
