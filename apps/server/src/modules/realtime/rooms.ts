/** socket.io room names; one place so that emitters and joiners agree. */
export const rooms = {
  user: (userId: string) => `user:${userId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  device: (deviceId: string) => `device:${deviceId}`,
};
