package dev.ordersaga.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.ordersaga.stack.ProjectRoot;

/** README's concept map and module table point at files and folders that exist. */
class ConceptMapTest {

    private static final Path ROOT = ProjectRoot.find();
    private static final Pattern PATH = Pattern.compile("`([\\w./-]+(?:\\.java|\\.lua|\\.yaml|\\.sh))`");
    private static final Pattern MODULE = Pattern.compile("(?m)^\\| `([\\w./-]+/)` \\|");

    @Test
    void everyPathOfTheConceptMapAndTheModuleTableExists() throws IOException {
        assertThat(missing(Files.readString(ROOT.resolve("README.md")))).isEmpty();
    }

    /** The check fails for a path that is not there. */
    @Test
    void aPathThatIsNotThereIsReported() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md")).replace("## Concepts\n",
                "## Concepts\n| x | `outbox/src/main/java/dev/ordersaga/outbox/DeliveryLimiter.java` |\n");
        assertThat(missing(readme)).containsExactly("outbox/src/main/java/dev/ordersaga/outbox/DeliveryLimiter.java");
    }

    private static List<String> missing(String readme) {
        int modules = readme.indexOf("| module | what it is |");
        String moduleTable = readme.substring(modules, readme.indexOf("```", modules));
        String concepts = readme.substring(readme.indexOf("## Concepts"), readme.indexOf("## The two commands"));
        List<String> missing = new ArrayList<>();
        int found = 0;
        for (Matcher m : List.of(MODULE.matcher(moduleTable), PATH.matcher(concepts))) {
            while (m.find()) {
                found++;
                if (!Files.exists(ROOT.resolve(m.group(1)))) {
                    missing.add(m.group(1));
                }
            }
        }
        assertThat(found).as("paths in README's module table and concept map").isGreaterThan(40);
        return missing;
    }
}
