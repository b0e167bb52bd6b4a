export { DirectoryScreen, directoryPaths } from './containers/DirectoryScreen';
export { AdminDepartmentsScreen } from './containers/AdminDepartmentsScreen';
export { AdminImportScreen } from './containers/AdminImportScreen';
export { directoryKeys } from './api/directory.api';
