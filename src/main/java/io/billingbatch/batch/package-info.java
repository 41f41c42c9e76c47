/**
 * What every job shares: the period parameters that identify a run, the recording of items a
 * job rejected as bad input, and progress in the log while a step works.
 */
package io.billingbatch.batch;
