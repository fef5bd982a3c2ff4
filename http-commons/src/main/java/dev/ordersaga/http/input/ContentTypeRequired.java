package dev.ordersaga.http.input;

import java.util.Arrays;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.ordersaga.http.ProblemException;

/**
 * An endpoint that takes JSON takes it only when the request says so: a body sent without
 * {@code Content-Type} (or with another one) is a 415, before anything reads it.
 */
public class ContentTypeRequired {

    @ServerRequestFilter
    public void require(ContainerRequestContext request, ResourceInfo resource) {
        if (resource == null || resource.getResourceMethod() == null || !takesJson(resource)) {
            return;
        }
        String contentLength = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        boolean body = contentLength != null ? !contentLength.trim().equals("0")
                : request.getHeaderString("Transfer-Encoding") != null;
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (body && (type == null || !MediaType.valueOf(type).isCompatible(MediaType.APPLICATION_JSON_TYPE))) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                    "this endpoint takes a JSON body with Content-Type: application/json");
        }
    }

    private static boolean takesJson(ResourceInfo resource) {
        Consumes consumes = resource.getResourceMethod().getAnnotation(Consumes.class);
        if (consumes == null) {
            consumes = resource.getResourceClass().getAnnotation(Consumes.class);
        }
        return consumes != null && Arrays.asList(consumes.value()).contains(MediaType.APPLICATION_JSON);
    }
}
