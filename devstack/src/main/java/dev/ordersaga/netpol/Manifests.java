package dev.ordersaga.netpol;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/**
 * Rendered manifests ({@code kubectl kustomize k8s}, a multi-document YAML stream) read into the
 * typed Kubernetes API model of Fabric8. Kinds the checker does not need (Secrets, Namespaces) are
 * left out.
 */
public final class Manifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Manifests() {
    }

    public static List<HasMetadata> read(Reader reader) throws IOException {
        List<HasMetadata> resources = new ArrayList<>();
        var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(reader);
        while (documents.hasNext()) {
            JsonNode doc = documents.next();
            if (doc == null || doc.isNull() || doc.isEmpty()) {
                continue;
            }
            Class<? extends HasMetadata> type = switch (doc.path("kind").asText()) {
                case "Deployment" -> Deployment.class;
                case "StatefulSet" -> StatefulSet.class;
                case "Service" -> Service.class;
                case "ConfigMap" -> ConfigMap.class;
                case "NetworkPolicy" -> NetworkPolicy.class;
                default -> null;
            };
            if (type != null) {
                resources.add(YAML.treeToValue(doc, type));
            }
        }
        return resources;
    }
}
