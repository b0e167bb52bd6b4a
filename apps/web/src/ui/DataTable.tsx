import type { ReactNode } from 'react';

export interface DataTableProps<T> {
  /** Names the table for assistive technology; not shown. */
  caption: string;
  /** The column headers, in order. */
  columns: ReactNode[];
  /** The header of a trailing actions column; none when absent. */
  actions?: ReactNode;
  /** Extra class names for the table element. */
  className?: string;
  rows: readonly T[];
  /** One `<tr>` (with its key) for a row. */
  renderRow: (row: T) => ReactNode;
  /** Shown instead of the table when there are no rows; nothing is shown when absent. */
  empty?: ReactNode;
}

/** The admin and settings list table: a scrolling wrapper, a hidden caption and column headers; rows are the caller's. */
export function DataTable<T>({ caption, columns, actions, className, rows, renderRow, empty }: DataTableProps<T>) {
  if (rows.length === 0) return empty ? <p className="empty">{empty}</p> : null;
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : 'table'}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th scope="col" key={index}>
                {column}
              </th>
            ))}
            {actions !== undefined ? (
              <th scope="col" className="table__actions-head">
                {actions}
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{rows.map(renderRow)}</tbody>
      </table>
    </div>
  );
}
