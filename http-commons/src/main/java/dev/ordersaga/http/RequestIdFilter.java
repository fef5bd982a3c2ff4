package dev.ordersaga.http;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Accepts or creates {@code X-Request-Id} at the edge and returns it on every response; the id the
 * first route bound ({@code RequestHygiene}) is kept.
 */
public class RequestIdFilter {

    @ServerRequestFilter(preMatching = true)
    public void onRequest(ContainerRequestContext request) {
        String bound = RequestIds.current();
        String id = bound != null ? bound : RequestIds.acceptOrCreate(request.getHeaderString(RequestIds.HEADER));
        request.setProperty(RequestIds.KEY, id);
        RequestIds.bind(id);
    }

    @ServerResponseFilter
    public void onResponse(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(RequestIds.KEY);
        if (id != null) {
            response.getHeaders().putSingle(RequestIds.HEADER, id);
        }
    }
}
