package global.nuvera.signing;

import global.nuvera.signing.ffi.InternalException;
import global.nuvera.signing.ffi.NuveraException;

/** Calls into the generated bindings and turns their failures into {@link NuveraSigningException}. */
final class Ffi {
    private Ffi() {}

    @FunctionalInterface
    interface Call<T> {
        T run() throws NuveraException;
    }

    static <T> T call(Call<T> call) throws NuveraSigningException {
        try {
            return call.run();
        } catch (NuveraException.Verification e) {
            throw new VerificationException(e.getCode(), e.getDetail(), e.getHttpStatus(), e.getResponseBody());
        } catch (NuveraException.Signing e) {
            throw new NuveraSigningException(e.getCode(), e.getDetail());
        } catch (NuveraException e) {
            throw new NuveraSigningException("INTERNAL_ERROR", "unexpected error from the native core", e);
        } catch (IllegalStateException e) {
            // The generated object was destroyed by a close() racing with this call.
            throw closed("object");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // Kotlin throws checked exceptions undeclared: uniffi's InternalException is a Rust
            // panic caught at the FFI boundary.
            String what = e instanceof InternalException ? "unexpected failure in the native core" : "unexpected error";
            throw new NuveraSigningException("INTERNAL_ERROR", what, e);
        }
    }

    /** Whole seconds of {@code d}, saturated to the int range (the core refuses out-of-range values). */
    static int wholeSeconds(java.time.Duration d) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, d.getSeconds()));
    }

    /**
     * Throws {@code e} from a method that cannot declare it: the generated callback interfaces
     * (Kotlin) declare no exceptions, yet uniffi hands a thrown {@code NuveraException} back to the
     * core as the callback's error.
     */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> E sneaky(Throwable e) throws E {
        throw (E) e;
    }

    static NuveraSigningException closed(String what) {
        return new NuveraSigningException("OBJECT_CLOSED", "this " + what + " is closed; create a new one");
    }
}
