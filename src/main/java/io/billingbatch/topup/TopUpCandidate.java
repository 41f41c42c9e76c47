package io.billingbatch.topup;

/** An account whose enabled policy's threshold was above its balance when the step read it. */
record TopUpCandidate(TopUpPolicy policy, String funding) {
}
