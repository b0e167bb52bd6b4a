import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Reports what a first visit downloads before the app can render: the entry chunk and everything it imports
 * statically, gzip-compressed. Lazy chunks (the chat engine, libsodium, the QR drawer) are listed apart.
 */
function firstLoadReport(): Plugin {
  return {
    name: 'miyu-first-load-report',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, { code: string; imports: string[]; isEntry: boolean; modules: string[] }>();
      for (const [file, out] of Object.entries(bundle)) {
        if (out.type === 'chunk')
          chunks.set(file, { code: out.code, imports: out.imports, isEntry: out.isEntry, modules: out.moduleIds });
      }
      const eager = new Set<string>();
      const visit = (file: string) => {
        if (eager.has(file)) return;
        eager.add(file);
        for (const next of chunks.get(file)?.imports ?? []) visit(next);
      };
      for (const [file, chunk] of chunks) if (chunk.isEntry) visit(file);
      const kb = (files: string[]) =>
        (files.reduce((n, f) => n + gzipSync(chunks.get(f)?.code ?? '').length, 0) / 1024).toFixed(1);
      const lazy = [...chunks.keys()].filter((f) => !eager.has(f));
      this.info(`first-load JavaScript: ${kb([...eager])} kB gzip (${eager.size} files)`);
      // libsodium and libs/crypto must stay out of the first load: a value import of @miyu/crypto (or of an
      // engine module that has one) from an eager module would pull them in. The build fails if it happens.
      const early = [...eager].flatMap((f) =>
        (chunks.get(f)?.modules ?? []).filter((m) => /libsodium|libs[\\/]crypto[\\/]/.test(m)).map((m) => `${f}: ${m}`),
      );
      if (early.length > 0)
        this.error(`libs/crypto or libsodium in the first-load JavaScript:\n${early.slice(0, 5).join('\n')}`);
      this.info(`lazy JavaScript: ${kb(lazy)} kB gzip (${lazy.map((f) => f.replace(/^assets\//, '')).join(', ')})`);
    },
  };
}

// In development the API and the socket run on the server (default port 8080); in production the server
// serves `dist` itself on the same origin, so the app only ever talks to its own origin.
const serverUrl = process.env['MIYU_DEV_SERVER'] ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react(), firstLoadReport()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases.
        // Left out of `vendor`: the QR code drawer (loads only when someone enrols two-factor authentication) and
        // libsodium (~700 kB of WebAssembly in JS: its own chunk, loaded with the chat engine after first paint).
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ },
            { name: 'sodium', test: /node_modules[\\/]libsodium/ },
            { name: 'vendor', test: /node_modules[\\/](?!(qrcode|dijkstrajs|libsodium[^\\/]*)[\\/])/ },
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
