package dev.ordersaga.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import dev.ordersaga.testsupport.TokenIssuer;

/**
 * Prints a bearer JWT for a customer, signed with a private key of this machine (the local stack's,
 * or {@code k8s/secrets/jwt-private.pem}):
 * {@code ./mvnw -q -pl devstack exec:java -Dexec.mainClass=dev.ordersaga.stack.MintToken -Dexec.args="<key.pem> <subject> [orders-admin]"}.
 */
public final class MintToken {

    private MintToken() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: MintToken <private-key.pem> <subject> [group...]");
            System.exit(2);
        }
        TokenIssuer issuer = TokenIssuer.load(Path.of(args[0]));
        System.out.println(issuer.token(args[1], Duration.ofDays(1), Arrays.copyOfRange(args, 2, args.length)));
    }
}
