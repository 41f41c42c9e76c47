package io.billingbatch.api;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Web wiring, present only when the application runs as a web server ({@code serve}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class ApiConfiguration {

    @Bean
    FilterRegistrationBean<TokenAuthenticationFilter> tokenAuthenticationFilter(JdbcApiTokens tokens) {
        FilterRegistrationBean<TokenAuthenticationFilter> registration = new FilterRegistrationBean<>(
                new TokenAuthenticationFilter(tokens));
        registration.addUrlPatterns("/v1.0/*");
        registration.setName("tokenAuthenticationFilter");
        return registration;
    }
}
