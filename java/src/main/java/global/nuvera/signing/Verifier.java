package global.nuvera.signing;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The server side of the contract (§6): a registry, a replay cache and the clock rules. Thread-safe;
 * keep one per server. A refusal is a {@link VerificationException}.
 *
 * <pre>{@code
 * Verifier verifier = Verifier.builder().registryFile(Path.of("registry.toml")).build();
 * Verified ok = verifier.verifyRequest(method, target, headers, body);
 * }</pre>
 */
public final class Verifier extends NativeObject {
    private Verifier(long pointer) {
        super(pointer);
    }

    /** A builder: give it one registry (file, JSON or TOML text). */
    public static Builder builder() {
        return new Builder();
    }

    /** Registry and options of a {@link Verifier}. */
    public static final class Builder {
        private @Nullable String registry;
        /** {@code file} ({@link #registry} is its path), {@code json} or {@code toml}. */
        private String registryFormat = "json";
        private @Nullable String baseDir;
        private @Nullable String issuer;
        private @Nullable String audience;
        private @Nullable Long clockSkewSeconds;
        private @Nullable Long fixedTime;
        private @Nullable String replayCacheUrl;
        private @Nullable String replayCachePrefix;
        private @Nullable Long replayCacheTimeoutMs;
        private @Nullable Integer replayCacheMaxConnections;

        private Builder() {}

        /** The registry file: TOML when its name ends in {@code .toml}, JSON otherwise. */
        public Builder registryFile(Path path) {
            this.registry = Objects.requireNonNull(path, "path").toString();
            this.registryFormat = "file";
            return this;
        }

        /** The registry as JSON text. */
        public Builder registryJson(String json) {
            this.registry = Objects.requireNonNull(json, "json");
            this.registryFormat = "json";
            return this;
        }

        /** The registry as TOML text. */
        public Builder registryToml(String toml) {
            this.registry = Objects.requireNonNull(toml, "toml");
            this.registryFormat = "toml";
            return this;
        }

        /** Where relative key files of a registry given as text resolve (default: the working directory). */
        public Builder baseDir(Path dir) {
            this.baseDir = Objects.requireNonNull(dir, "dir").toString();
            return this;
        }

        /** The expected {@code iss} (default {@code nuvera-api}). */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** The expected {@code aud} (default {@code nuvera-rest-api}). */
        public Builder audience(String audience) {
            this.audience = Objects.requireNonNull(audience, "audience");
            return this;
        }

        /** Allowed clock skew (default 5 s, at most 60 s). */
        public Builder clockSkew(Duration skew) {
            this.clockSkewSeconds = Objects.requireNonNull(skew, "skew").getSeconds();
            return this;
        }

        /** Pins the verifier's clock (tests). */
        public Builder fixedTime(Instant now) {
            this.fixedTime = Objects.requireNonNull(now, "now").getEpochSecond();
            return this;
        }

        /** Records {@code jti}s in a Redis/Valkey replay cache shared by several verifiers (contract §9). */
        public Builder replayCache(String url) {
            this.replayCacheUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        /** The prefix of the replay cache's keys (default {@code nuvera:jti:}), to share a store between services. */
        public Builder replayCachePrefix(String prefix) {
            this.replayCachePrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** The time the replay cache has to answer, connection included (default 50 ms, 1 ms to 10 s). */
        public Builder replayCacheTimeout(Duration timeout) {
            this.replayCacheTimeoutMs = Objects.requireNonNull(timeout, "timeout").toMillis();
            return this;
        }

        /** Connections to the replay cache at most (default 16, 1 to 1024). */
        public Builder replayCacheMaxConnections(int max) {
            this.replayCacheMaxConnections = max;
            return this;
        }

        /** The verifier; an invalid registry fails here with {@code INVALID_REGISTRY}. */
        public Verifier build() throws NuveraSigningException {
            return new Verifier(Native.verifierNew(registry, registryFormat, baseDir, issuer,
                    audience, clockSkewSeconds, fixedTime, replayCacheUrl, replayCachePrefix, replayCacheTimeoutMs,
                    replayCacheMaxConnections));
        }
    }

    /** Verifies a received request given its header values (null: absent) and body hash. */
    public Verified verify(String method, String target, @Nullable String apiKey, @Nullable String authorization,
            String bodyHash) throws NuveraSigningException {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(bodyHash, "bodyHash");
        return new Verified(handle.with(v -> Native.verify(v, method, target, apiKey, authorization, bodyHash)));
    }

    /** Verifies a received request from its headers (any case) and raw body ({@code null}: none). */
    public Verified verifyRequest(String method, String target, Map<String, String> headers, byte @Nullable [] body)
            throws NuveraSigningException {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        String[] flat = NuveraSigning.flatten(Objects.requireNonNull(headers, "headers"));
        byte[] bytes = body == null ? new byte[0] : body;
        return new Verified(handle.with(v -> Native.verifyRequest(v, method, target, flat, bytes)));
    }
}
