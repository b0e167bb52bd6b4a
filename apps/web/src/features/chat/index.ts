export { ChatProvider, forgetThisDevice } from './containers/ChatProvider';
export { ChatsScreen } from './containers/ChatsScreen';
export { PairingPrompt } from './containers/PairingPrompt';
export { ChatNotifications } from './containers/ChatNotifications';
export { useStartDirectChat } from './hooks/useStartDirectChat';
export { useChat } from './hooks/useChat';
export { messagingSettingsKey, useMessagingSettings } from './hooks/useMessagingSettings';
