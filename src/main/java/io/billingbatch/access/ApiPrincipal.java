package io.billingbatch.access;

import java.util.Arrays;
import java.util.UUID;

/** The token a request was made with. {@code customerId} is set for (and only for) customer tokens. */
public record ApiPrincipal(UUID tokenId, String name, Role role, UUID customerId) {

    /** Request attribute the authentication filter stores the principal under. */
    public static final String ATTRIBUTE = "billing.principal";

    /** Session attribute of a principal signed in on the finance page. */
    public static final String SESSION_ATTRIBUTE = "billing.principal";

    /** The token id the audit records for what an operator does on the command line (which needs no token). */
    public static final UUID COMMAND_LINE_ID = new UUID(0, 0);

    /** The operator of a command line, for the audit: the host's user, with admin rights. */
    public static ApiPrincipal commandLine() {
        return new ApiPrincipal(COMMAND_LINE_ID, "command line (" + System.getProperty("user.name", "?") + ")", Role.ADMIN,
                null);
    }

    /** @throws PermissionDeniedException (403) unless the token has one of {@code roles} */
    public void require(String action, Role... roles) {
        if (!Arrays.asList(roles).contains(role)) {
            throw new PermissionDeniedException("permission denied: " + action + " needs "
                    + String.join(" or ", Arrays.stream(roles).map(Role::word).toList()) + " permission; this token is "
                    + role.word());
        }
    }

    /** Whether the token may see the accounts of {@code customer}. */
    public boolean canRead(UUID customer) {
        return role != Role.CUSTOMER || customerId.equals(customer);
    }
}
