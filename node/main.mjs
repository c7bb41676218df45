// ESM entry: re-exports the CommonJS entry, so that ESM and CommonJS users share one instance of
// the addon's classes (no dual-package hazard with `instanceof MultipartForm`).
export * from './main.cjs'
export { default } from './main.cjs'
