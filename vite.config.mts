import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // No inline scripts or eval: the CSP forbids them.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
