/**
 * How jobs are launched: the command line ({@code billing-batch <command> [--name=value ...]},
 * exit codes 0 / 1 / 2; a short command answered from the database layer, in a quick JVM of the jar's
 * extracted form and class data sharing archive when run with {@code java -jar}), the launcher that refuses a second run of a completed period, restarts a
 * failed or killed one and numbers explicit re-runs, the cross-process single-run guard (a
 * PostgreSQL advisory lock, with a heartbeat per running execution so that a period is taken over
 * only from a process that is gone, and stop requests the running thread acts on), the names of
 * the connections of each job run, the launch definitions of {@code jobs/} with the schedule that fires
 * them inside {@code serve} (each fire time claimed once in {@code schedule_runs}), the background
 * launch behind the jobs API, and the benchmark.
 */
package io.billingbatch.launch;
