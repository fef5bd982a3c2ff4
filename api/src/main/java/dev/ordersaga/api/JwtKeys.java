package dev.ordersaga.api;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Start-up checks of the key that verifies customers' tokens: that it parses as an RSA public key
 * (given inline, or as a PEM file), or that its location is a JWKS URL, so that a wrong key stops the
 * api at start instead of refusing every customer later. Pure but for reading a local file.
 */
final class JwtKeys {

    private JwtKeys() {
    }

    /** Whether {@code key} (PEM, or one line of base64 DER) is an RSA public key. */
    static boolean parses(String key) {
        try {
            String base64 = key.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Checks {@code MP_JWT_VERIFY_PUBLICKEY_LOCATION}: an http(s) URL (a JWKS endpoint, fetched when a
     * token arrives), or a file (a path, {@code file:} URI or class-path resource) holding a public key.
     */
    static void checkLocation(String location) {
        String variable = "MP_JWT_VERIFY_PUBLICKEY_LOCATION=" + location;
        if (location.startsWith("http://") || location.startsWith("https://")) {
            try {
                URI uri = URI.create(location);
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException(variable + ": is not an http(s)://host URL");
                }
                return;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(variable + ": is not an http(s)://host URL");
            }
        }
        String pem;
        try {
            if (location.startsWith("file:")) {
                pem = Files.readString(Path.of(URI.create(location)), StandardCharsets.US_ASCII);
            } else if (Files.exists(Path.of(location))) {
                pem = Files.readString(Path.of(location), StandardCharsets.US_ASCII);
            } else {
                var resource = JwtKeys.class.getClassLoader().getResourceAsStream(location.replaceFirst("^classpath:", ""));
                if (resource == null) {
                    throw new IllegalArgumentException(variable + ": no such file, class-path resource or http(s) URL");
                }
                try (resource) {
                    pem = new String(resource.readAllBytes(), StandardCharsets.US_ASCII);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().startsWith(variable)) {
                throw iae;
            }
            throw new IllegalArgumentException(variable + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        boolean jwks = pem.trim().startsWith("{") && pem.contains("\"keys\"");
        if (!jwks && !parses(pem)) {
            throw new IllegalArgumentException(variable + ": holds no RSA public key (PEM) nor a JWKS");
        }
    }
}
