import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In development the API and the socket run on the server (default port 8080); in production the server
// serves `dist` itself on the same origin, so the app only ever talks to its own origin.
const serverUrl = process.env['MIYU_DEV_SERVER'] ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: serverUrl, changeOrigin: true },
      '/health': { target: serverUrl, changeOrigin: true },
      '/socket.io': { target: serverUrl, changeOrigin: true, ws: true },
    },
  },
});
