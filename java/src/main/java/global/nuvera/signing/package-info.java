/** Request signing for the Nuvera partner API through JNI; non-null unless {@code @Nullable} (JSpecify). */
@NullMarked
package global.nuvera.signing;

import org.jspecify.annotations.NullMarked;
