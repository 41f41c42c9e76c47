package io.billingbatch.api;

import java.util.Arrays;
import java.util.UUID;

import org.springframework.http.HttpStatus;

/** The token a request was made with. {@code customerId} is set for (and only for) customer tokens. */
public record ApiPrincipal(UUID tokenId, String name, Role role, UUID customerId) {

    /** Request attribute the authentication filter stores the principal under. */
    public static final String ATTRIBUTE = "billing.principal";

    /** Session attribute of a principal signed in on the finance page. */
    public static final String SESSION_ATTRIBUTE = "billing.principal";

    /** @throws ApiException 403 unless the token has one of {@code roles} */
    public void require(String action, Role... roles) {
        if (!Arrays.asList(roles).contains(role)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "permission_denied", "permission denied: " + action + " needs "
                    + String.join(" or ", Arrays.stream(roles).map(Role::word).toList()) + " permission; this token is "
                    + role.word());
        }
    }

    /** Whether the token may see the accounts of {@code customer}. */
    public boolean canRead(UUID customer) {
        return role != Role.CUSTOMER || customerId.equals(customer);
    }
}
