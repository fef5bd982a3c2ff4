package dev.ordersaga.worker;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

import dev.ordersaga.http.InternalSecret;
import dev.ordersaga.http.config.ConfigCheck;
import dev.ordersaga.http.config.Urls;
import dev.ordersaga.worker.jobs.ApiClientConfig;
import dev.ordersaga.worker.jobs.SimulationConfig;

/**
 * Checks every setting of the worker when it starts, before it reports ready; each problem is one
 * log line naming the variable, the value (never a secret's) and the rule, and the worker exits.
 */
@ApplicationScoped
public class StartupCheck {

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, ApiClientConfig api, SimulationConfig worker,
            @ConfigProperty(name = "internal.secret") Optional<String> secret,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> dbPassword) {
        ConfigCheck check = new ConfigCheck("worker");
        check.requireSecret(InternalSecret.acceptable(secret), "INTERNAL_SECRET",
                "must be set, at least " + InternalSecret.MIN_LENGTH + " characters");
        check.requireSecret(dbPassword.filter(p -> !p.isBlank()).isPresent(), "QUARKUS_DATASOURCE_PASSWORD", "must be set");
        check.require(Urls.http(api.url()), "API_URL", api.url(), "must be an http(s)://host[:port] URL");
        check.orFail();
    }
}
