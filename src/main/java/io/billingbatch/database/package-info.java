/**
 * The embedded default: a real PostgreSQL started from a Maven artifact when no
 * {@code spring.datasource.url} is configured, with its data kept between runs; and
 * {@link io.billingbatch.database.CopyText}, rows in the text format of {@code COPY ... FROM STDIN},
 * which the job writers use to store a chunk in one statement.
 */
package io.billingbatch.database;
