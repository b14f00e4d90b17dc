import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by Touchpoint itself at `/`, so assets use absolute paths and the dev
// server proxies the API to a running Touchpoint (`TOUCHPOINT_URL`, default port 8080).
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': process.env.TOUCHPOINT_URL ?? 'http://127.0.0.1:8080',
    },
  },
});
