/**
 * A web app this project builds with Vite into static files its own processes serve (no CDN: kiosks and hubs may
 * have no internet): the HQ console (console/, served by the hub) and the kiosk screen (device/screen/, served by
 * the kiosk). One description per app; scripts/web/build-web-app.ts builds any of them and
 * scripts/web/ensure-web-app-built.ts decides whether a build is due.
 */
import type { InlineConfig } from 'vite';

export interface WebApp {
  /** Said in progress lines: "the HQ console", "the kiosk screen". */
  title: string;
  /** The app's folder: index.html, src/, tsconfig.json. */
  root: string;
  /** Where the build goes; served from there. */
  dist: string;
  /** The URL path the app is served under ('/console/', '/'). */
  base: string;
  /** Files outside root whose change makes the build stale (the build script, package-lock.json, shared core sources). */
  extraSources: readonly string[];
  /** Folders outside root whose files make the build stale when newer (core/ modules the app imports). */
  extraSourceDirs?: readonly string[];
  /** The Vite options beyond root, base and output: plugins, defines, chunk limits. Loaded lazily with Vite itself. */
  viteOptions(): Promise<InlineConfig>;
}
