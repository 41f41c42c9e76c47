/**
 * The embedded default: a real PostgreSQL started from a Maven artifact when no
 * {@code spring.datasource.url} is configured, with its data kept between runs.
 */
package io.billingbatch.database;
