/**
 * Request signing for the Nuvera partner API, backed by the project's Rust core through JNI.
 *
 * <p>Every type and method is non-null unless annotated {@link org.jspecify.annotations.Nullable}
 * (JSpecify {@code @NullMarked}), so Kotlin sees non-null types.
 */
@NullMarked
package global.nuvera.signing;

import org.jspecify.annotations.NullMarked;
