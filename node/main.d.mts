// Types of the ESM entry: main.mjs re-exports the CommonJS entry (one copy of the classes), so
// its types are main.d.ts's.
export * from './main.js'
