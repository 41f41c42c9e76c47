package io.billingbatch.access;

import java.util.Locale;

/** What a token may do: {@code admin} everything, {@code finance} read and report, {@code customer} read its own accounts. */
public enum Role {

    ADMIN, FINANCE, CUSTOMER;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role of(String word) {
        for (Role role : values()) {
            if (role.word().equals(word)) {
                return role;
            }
        }
        throw new IllegalArgumentException("role must be admin, finance or customer, was '" + word + "'");
    }
}
