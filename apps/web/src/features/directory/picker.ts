// The department picker for other features. Apart from index.ts: the directory's screens import the admin feature,
// so features that the admin feature loads (its lazy pages) take the picker from here, without an import cycle.
export { PickDepartmentDialog } from './components/DepartmentDialogs';
