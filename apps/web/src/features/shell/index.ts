export { AppFrame } from './containers/AppFrame';
export { ChatsPage } from './containers/ChatsPage';
export { DirectoryPage } from './containers/DirectoryPage';
export { NotFoundPage } from './containers/NotFoundPage';
