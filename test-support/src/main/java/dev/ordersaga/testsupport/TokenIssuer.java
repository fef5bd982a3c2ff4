package dev.ordersaga.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;

/**
 * An issuer of customers' bearer JWTs for a stack of this machine: a fresh RSA key pair, its public
 * key written as a PEM file for the api ({@code MP_JWT_VERIFY_PUBLICKEY_LOCATION}), and RS256 tokens
 * with the api's default issuer and audience.
 */
public final class TokenIssuer {

    public static final String ISSUER = "https://ordersaga.dev";
    public static final String AUDIENCE = "ordersaga-api";
    /** The role that reads every customer's orders. */
    public static final String ADMIN = "orders-admin";

    private final KeyPair keys;
    private final Path publicKey;

    private TokenIssuer(KeyPair keys, Path publicKey) {
        this.keys = keys;
        this.publicKey = publicKey;
    }

    /** A new key pair; the public key goes to {@code dir/jwt-public.pem}. */
    public static TokenIssuer create(Path dir) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            Files.createDirectories(dir);
            Path pem = dir.resolve("jwt-public.pem");
            Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            return new TokenIssuer(keys, pem);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An issuer for an existing key pair: the private key in a PKCS#8 PEM file (its public key is
     * derived from it and written beside it as {@code jwt-public.pem}).
     */
    public static TokenIssuer load(Path privateKeyPem) {
        try {
            String pem = Files.readString(privateKeyPem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            var privateKey = (RSAPrivateCrtKey) rsa.generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            var publicKey = rsa.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(),
                    privateKey.getPublicExponent()));
            Path pub = privateKeyPem.resolveSibling("jwt-public.pem");
            Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(publicKey.getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            return new TokenIssuer(new KeyPair(publicKey, privateKey), pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the private key " + privateKeyPem, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the private key (PKCS#8 PEM) to {@code file}, readable by its owner only, for {@link #load}. */
    public Path writePrivateKey(Path file) {
        try {
            Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PEM file of the public key. */
    public Path publicKeyFile() {
        return publicKey;
    }

    /** The public key as one line of base64 (DER), the form {@code MP_JWT_VERIFY_PUBLICKEY} takes. */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /** A token of {@code subject} with {@code groups}, valid for {@code ttl}. */
    public String token(String subject, Duration ttl, String... groups) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).groups(Set.of(groups))
                .expiresIn(ttl).sign(keys.getPrivate());
    }

    /** {@code Authorization} header value for {@code subject}, valid for a day. */
    public String bearer(String subject, String... groups) {
        return "Bearer " + token(subject, Duration.ofDays(1), groups);
    }
}
