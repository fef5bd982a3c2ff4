package dev.ordersaga.stack;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the folder holding {@code mvnw}), where the packaged services live. */
public final class ProjectRoot {

    private ProjectRoot() {
    }

    public static Path find() {
        String configured = System.getProperty("project.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("run from inside the repository, or set -Dproject.root");
        }
        return dir;
    }
}
