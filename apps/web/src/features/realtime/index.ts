export { RealtimeProvider } from './containers/RealtimeProvider';
export { useSocket } from './hooks/useSocket';
export { openSameOriginSocket, attachSessionEvents } from './realtime';
