// ESM entry: re-exports the CommonJS entry, so that ESM and CommonJS users share one instance of
// the addon's classes (no dual-package hazard with `instanceof MultipartForm`).
import pkg from './main.cjs'

export const {
  PrivateKey,
  Signer,
  SignedRequest,
  MultipartForm,
  Verifier,
  ErrorCodes,
  errorCodeList,
  bodyHash,
  bodyHashFile,
  bodyHashFileSync,
  bodyHashStream,
  BodyHasher,
  isMultipartFormData,
  multipartBodyHash,
  multipartCanonical,
  publicKeyFingerprint,
  requestUri,
  sendableUrl,
  receivedBodyHash,
  explain,
  supportBundle,
  signedFetch,
  Exchange,
  RemoteKey,
  defaultClientPolicy,
  MAX_REFUSAL_BODY_BYTES,
} = pkg
export default pkg
