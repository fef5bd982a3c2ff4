package dev.ordersaga.lab;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one scenario found: the invariants it saw broken, and the figures it measured. */
final class Findings {

    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final Map<String, String> figures = Collections.synchronizedMap(new LinkedHashMap<>());

    void violation(String what) {
        violations.add(what);
    }

    void violations(Collection<String> what) {
        violations.addAll(what);
    }

    /** Records a violation unless {@code ok}. */
    void require(boolean ok, String violation) {
        if (!ok) {
            violations.add(violation);
        }
    }

    void figure(String name, Object value) {
        figures.put(name, String.valueOf(value));
    }

    boolean ok() {
        return violations.isEmpty();
    }
}
