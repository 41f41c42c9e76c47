/**
 * The {@code finance-pack} job. Reads the report folders of a month ({@code reports/<month>/} and
 * its day folders) as they are when it runs, and stores one zip of every report and manifest in
 * them as {@code reports/<month>/finance-pack-<month>.zip} through the report store, so a
 * schedule can make it on the 1st. Its identifying parameters are the month, zone and revision,
 * so a completed month is not packed twice unless re-run with a new revision; a pack never
 * contains an earlier pack.
 */
package io.billingbatch.financepack;
