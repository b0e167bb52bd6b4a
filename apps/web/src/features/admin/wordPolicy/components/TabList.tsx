import { useRef, type KeyboardEvent } from 'react';

export interface TabListProps<T extends string> {
  label: string;
  tabs: readonly T[];
  selected: T;
  tabLabel: (tab: T) => string;
  onSelect: (tab: T) => void;
  /** Prefixes the ids that tie each tab to its panel. */
  idPrefix: string;
}

export const tabId = (prefix: string, tab: string) => `${prefix}-tab-${tab}`;
export const panelId = (prefix: string, tab: string) => `${prefix}-panel-${tab}`;

/**
 * WAI-ARIA tabs with automatic activation: one tab stop, arrow keys (and Home/End) move between tabs and select.
 * The parent renders the one panel with `role="tabpanel"` and the ids above.
 */
export function TabList<T extends string>({ label, tabs, selected, tabLabel, onSelect, idPrefix }: TabListProps<T>) {
  const refs = useRef(new Map<T, HTMLButtonElement>());
  const onKeyDown = (event: KeyboardEvent) => {
    const index = tabs.indexOf(selected);
    const next =
      event.key === 'ArrowRight'
        ? tabs[(index + 1) % tabs.length]
        : event.key === 'ArrowLeft'
          ? tabs[(index - 1 + tabs.length) % tabs.length]
          : event.key === 'Home'
            ? tabs[0]
            : event.key === 'End'
              ? tabs[tabs.length - 1]
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    onSelect(next);
    refs.current.get(next)?.focus();
  };
  return (
    <div className="wp-tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
      {tabs.map((tab) => (
        <button
          key={tab}
          ref={(node) => {
            if (node) refs.current.set(tab, node);
            else refs.current.delete(tab);
          }}
          type="button"
          role="tab"
          id={tabId(idPrefix, tab)}
          aria-selected={tab === selected}
          aria-controls={panelId(idPrefix, tab)}
          tabIndex={tab === selected ? 0 : -1}
          className={tab === selected ? 'wp-tabs__tab is-active' : 'wp-tabs__tab'}
          onClick={() => onSelect(tab)}
        >
          {tabLabel(tab)}
        </button>
      ))}
    </div>
  );
}
