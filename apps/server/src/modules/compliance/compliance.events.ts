/** Emitted (EventEmitter2) after keys, scopes or the organisation name change; the gateway tells every client. */
export const COMPLIANCE_CHANGED_EVENT = 'compliance.changed';
