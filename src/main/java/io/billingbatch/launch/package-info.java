/**
 * How jobs are launched: the command line ({@code billing-batch <command> [--name=value ...]},
 * exit codes 0 / 1 / 2), the launcher that refuses a second run of a completed period, restarts a
 * failed or killed one and numbers explicit re-runs, the cross-process single-run guard (a
 * PostgreSQL advisory lock), and the benchmark.
 */
package io.billingbatch.launch;
