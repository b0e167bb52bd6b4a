import type { ReactNode } from 'react';

export interface AlertProps {
  tone: 'error' | 'success' | 'info' | 'warning';
  children: ReactNode;
}

/** Errors interrupt (role=alert); confirmations and notices are announced politely (role=status). */
export function Alert({ tone, children }: AlertProps) {
  return (
    <div className={`alert alert--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
