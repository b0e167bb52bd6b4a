export { ChatProvider } from './containers/ChatProvider';
export { ChatsScreen } from './containers/ChatsScreen';
export { useStartDirectChat } from './hooks/useStartDirectChat';
export { useChat } from './hooks/useChat';
