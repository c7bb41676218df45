// ESM entry: re-exports the CommonJS entry, so that ESM and CommonJS users share one instance of
// the addon's classes (no dual-package hazard with `instanceof MultipartForm`).
import pkg from './main.cjs'

export const {
  PrivateKey,
  Signer,
  MultipartForm,
  Verifier,
  bodyHash,
  bodyHashFile,
  bodyHashFileSync,
  multipartBodyHash,
  requestUri,
  sendableUrl,
  receivedBodyHash,
  explain,
  signedFetch,
} = pkg
export default pkg
