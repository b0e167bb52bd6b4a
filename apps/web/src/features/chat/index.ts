export { ChatProvider } from './containers/ChatProvider';
export { ChatsScreen } from './containers/ChatsScreen';
export { PairingPrompt } from './containers/PairingPrompt';
export { useStartDirectChat } from './hooks/useStartDirectChat';
export { useChat } from './hooks/useChat';
