package io.billingbatch.database;

import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The schema before anything else, also where the context is lazily initialised (the command
 * line's, see {@code CommandLine}): Flyway's migration runs at start-up, as it does in {@code serve},
 * instead of only when a bean that asks for it by type is created. Without this a command whose
 * beans reach the database through the {@code DataSource} alone (demo-data) ran against a database
 * that had never been migrated.
 */
@Configuration(proxyBeanMethods = false)
class SchemaFirstConfiguration {

    @Bean
    static LazyInitializationExcludeFilter flywayMigratesEagerly() {
        return LazyInitializationExcludeFilter.forBeanTypes(FlywayMigrationInitializer.class);
    }
}
