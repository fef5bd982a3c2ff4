package dev.ordersaga.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;

import dev.ordersaga.netpol.PolicyCheck;
import dev.ordersaga.stack.ProjectRoot;

/**
 * README's configuration table is the services' contract, and it cannot drift: every variable a
 * service reads (its config mappings and injected properties, in its own module and in the
 * libraries it is built from) is in the table for that service, every variable the table gives a
 * service is read by it, and every variable a {@code k8s/<service>/config.env} sets is in the table
 * for that service.
 */
class ConfigContractTest {

    private static final Path ROOT = ProjectRoot.find();
    private static final Map<String, List<String>> MODULES = Map.of(
            "api", List.of("api", "outbox", "saga-contract", "http-commons"),
            "worker", List.of("worker", "outbox", "saga-contract", "http-commons"),
            "quorum-gateway", List.of("quorum-gateway", "http-commons"));
    /** Settings of Quarkus and MicroProfile JWT the table documents (read by them, not by our code). */
    private static final Set<String> QUARKUS = Set.of("QUARKUS_HTTP_PORT", "QUARKUS_MANAGEMENT_PORT",
            "QUARKUS_DATASOURCE_REACTIVE_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD",
            "MP_JWT_VERIFY_ISSUER", "MP_JWT_VERIFY_AUDIENCES", "QUARKUS_OTEL_TRACES_SAMPLER_ARG",
            "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(name = \"([^\"]+)\"");
    private static final Pattern ENV_LINE = Pattern.compile("^([A-Z][A-Z0-9_]*)=");

    @Test
    void everyVariableAServiceReadsIsDocumentedAndEveryDocumentedOneIsRead() throws Exception {
        assertThat(problems(PolicyCheck.documented(ROOT.resolve("README.md")))).isEmpty();
    }

    /** The check fails when the table loses a variable a service reads, or documents one nobody reads. */
    @Test
    void aTableThatMissesOrInventsAVariableIsCaught() throws Exception {
        Map<String, Set<String>> documented = PolicyCheck.documented(ROOT.resolve("README.md"));
        documented.get("quorum-gateway").remove("GATEWAY_MAX_SIBLINGS");
        documented.get("worker").add("WORKER_INVENTED_SETTING");
        assertThat(problems(documented)).containsExactlyInAnyOrder(
                "quorum-gateway reads GATEWAY_MAX_SIBLINGS, which README's configuration table does not give it",
                "README's configuration table gives worker WORKER_INVENTED_SETTING, which it does not read");
    }

    private static List<String> problems(Map<String, Set<String>> documented) throws Exception {
        List<String> problems = new ArrayList<>();
        for (var e : MODULES.entrySet()) {
            String service = e.getKey();
            Set<String> read = read(e.getValue());
            Set<String> table = documented.get(service);
            for (String v : read) {
                if (!table.contains(v)) {
                    problems.add(service + " reads " + v + ", which README's configuration table does not give it");
                }
            }
            for (String v : table) {
                if (!read.contains(v) && !QUARKUS.contains(v)) {
                    problems.add("README's configuration table gives " + service + " " + v + ", which it does not read");
                }
            }
        }
        return problems;
    }

    @Test
    void everyVariableOfAKubernetesConfigMapIsDocumentedForItsService() throws IOException {
        Map<String, Set<String>> documented = PolicyCheck.documented(ROOT.resolve("README.md"));
        List<String> problems = new ArrayList<>();
        for (String service : MODULES.keySet()) {
            for (String line : Files.readAllLines(ROOT.resolve("k8s/" + service + "/config.env"))) {
                Matcher m = ENV_LINE.matcher(line);
                if (m.find() && !documented.get(service).contains(m.group(1))) {
                    problems.add("k8s/" + service + "/config.env sets " + m.group(1) + ", which README does not document for it");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** The environment variables of every config mapping and injected property in these modules. */
    private static Set<String> read(List<String> modules) throws Exception {
        Set<String> vars = new TreeSet<>();
        for (String module : modules) {
            Path classes = ROOT.resolve(module).resolve("target/classes");
            URLClassLoader loader = new URLClassLoader(new URL[] { classes.toUri().toURL() },
                    ConfigContractTest.class.getClassLoader());
            for (String name : classNames(classes)) {
                Class<?> type;
                try {
                    type = Class.forName(name, false, loader);
                } catch (LinkageError | ClassNotFoundException e) {
                    continue; // a class that needs the service's runtime: not a config mapping
                }
                ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
                if (type.isInterface() && mapping != null) {
                    ConfigMappings.getProperties(new ConfigMappings.ConfigClass(type, mapping.prefix())).keySet()
                            .forEach(p -> vars.add(env(p)));
                }
            }
            try (Stream<Path> sources = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                sources.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                    Matcher m = CONFIG_PROPERTY.matcher(read(p));
                    while (m.find()) {
                        vars.add(env(m.group(1)));
                    }
                });
            }
        }
        return vars;
    }

    private static String env(String property) {
        return property.replace("[*]", "").toUpperCase().replaceAll("[.\\-\"]", "_");
    }

    private static List<String> classNames(Path classes) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$"))
                    .map(p -> classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
