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
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases.
        // The QR code drawer is left out: it loads only when someone enrols two-factor authentication.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/](?!(qrcode|dijkstrajs)[\\/])/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: serverUrl, changeOrigin: true },
      '/health': { target: serverUrl, changeOrigin: true },
      '/socket.io': { target: serverUrl, changeOrigin: true, ws: true },
    },
  },
});
