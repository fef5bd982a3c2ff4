package dev.ordersaga.api.web;

import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

import dev.ordersaga.http.Problem;
import dev.ordersaga.http.Problems;
import dev.ordersaga.http.RequestIds;

/** Authentication and authorization failures as problem+json, like every other error. */
public class SecurityProblems {

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return unauthenticated();
    }

    @ServerExceptionMapper
    public Response failed(AuthenticationFailedException e) {
        return unauthenticated();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(403, "forbidden", "Forbidden", "the caller may not do this").build();
    }

    private static Response unauthenticated() {
        return problem(401, "unauthorized", "Unauthorized",
                "this endpoint needs 'Authorization: Bearer <JWT>' with a valid, unexpired token of this service's issuer")
                .header("WWW-Authenticate", "Bearer").build();
    }

    private static Response.ResponseBuilder problem(int status, String type, String title, String detail) {
        Map<String, Object> members = RequestIds.current() == null ? Map.of() : Map.of("requestId", RequestIds.current());
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem(Problems.TYPE_BASE + type, title, status, detail, null, members));
    }
}
