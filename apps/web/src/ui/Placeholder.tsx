import type { ReactNode } from 'react';

export interface PlaceholderProps {
  title: string;
  description: string;
  icon?: ReactNode;
  badge?: string;
}

/** An empty page for a section that is not built yet: a title and one line about what will be here. */
export function Placeholder({ title, description, icon, badge }: PlaceholderProps) {
  return (
    <section className="placeholder" aria-labelledby="placeholder-title">
      {icon ? <div className="placeholder__icon">{icon}</div> : null}
      <h1 id="placeholder-title" className="placeholder__title">
        {title}
      </h1>
      <p className="placeholder__description">{description}</p>
      {badge ? <span className="badge badge--muted">{badge}</span> : null}
    </section>
  );
}
