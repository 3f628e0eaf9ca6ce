import { resolve } from "node:path";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// Three pages, one per window: the desk (index.html), the call card (card.html) and the
// settings (settings.html). Tauri serves
// ui/dist; nothing is loaded from anywhere else (the CSP allows only 'self').
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  // The words are ../locales/*.ftl, shared with the shell and the CLI (imported with ?raw).
  server: { fs: { allow: [".."] } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.40+, WebView2, macOS 12+ WKWebView.
    target: "safari15",
    // No inline <script> or data: modules: the CSP's script-src is 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        desk: resolve(import.meta.dirname, "index.html"),
        card: resolve(import.meta.dirname, "card.html"),
        settings: resolve(import.meta.dirname, "settings.html"),
      },
    },
  },
});
