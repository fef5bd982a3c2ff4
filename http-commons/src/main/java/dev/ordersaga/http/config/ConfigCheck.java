package dev.ordersaga.http.config;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * Collects what is wrong with a service's settings at start-up and stops the start with one log
 * line per problem, each naming the variable, its value (never a secret's) and the rule it breaks.
 */
public final class ConfigCheck {

    private static final Logger LOG = Logger.getLogger(ConfigCheck.class);

    private final String service;
    private final List<String> problems = new ArrayList<>();

    public ConfigCheck(String service) {
        this.service = service;
    }

    /** Records a problem unless {@code ok}. */
    public ConfigCheck require(boolean ok, String variable, Object value, String rule) {
        if (!ok) {
            problems.add(variable + "=" + value + ": " + rule);
        }
        return this;
    }

    /** Records a problem about a secret, without its value. */
    public ConfigCheck requireSecret(boolean ok, String variable, String rule) {
        if (!ok) {
            problems.add(variable + " (secret, not shown): " + rule);
        }
        return this;
    }

    /** Runs a parse or check that throws IllegalArgumentException with a message naming the variable. */
    public ConfigCheck attempt(Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return this;
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Logs every problem and throws when there is any, so the service does not start. */
    public void orFail() {
        if (problems.isEmpty()) {
            return;
        }
        problems.forEach(p -> LOG.errorf("invalid configuration of %s: %s", service, p));
        throw new InvalidConfigurationException(service + " refuses to start: " + String.join("; ", problems));
    }

    /** Settings a service cannot run with. */
    public static final class InvalidConfigurationException extends RuntimeException {
        public InvalidConfigurationException(String message) {
            super(message, null, false, false);
        }
    }
}
