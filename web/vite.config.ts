// Vite builds the cabinet and back-office SPA into dist/web, which the Fastify server serves.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Resolved from this file, not from the working directory, so the build works from any folder.
const webRoot = decodeURIComponent(new URL('.', import.meta.url).pathname);
const apiServer = 'http://127.0.0.1:3000';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': apiServer,
      '/dev': apiServer,
      '/health': apiServer,
    },
  },
});
