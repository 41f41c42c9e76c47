package io.billingbatch.api;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;

import org.springframework.http.converter.HttpMessageNotReadableException;

/**
 * Why a request body could not be read, in one line the caller can act on, naming the field and
 * what it must be: never the parser's own message, which names classes of this server.
 */
final class JsonBodyProblem {

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:Object property|field) \"([^\"]*)\"");

    private JsonBodyProblem() {
    }

    static String reason(HttpMessageNotReadableException ex) {
        JacksonException jackson = find(ex);
        if (jackson == null) {
            String message = ex.getMessage();
            return message != null && message.startsWith("Required request body is missing")
                    ? "a JSON body is required" : "the request body could not be read";
        }
        if (jackson instanceof PropertyBindingException unknown) {
            return "unknown field '" + field(jackson) + "'" + known(unknown.getKnownPropertyIds());
        }
        if (String.valueOf(jackson.getOriginalMessage()).startsWith("Trailing token")) {
            return "the body has more after its JSON value: send exactly one JSON object";
        }
        if (jackson instanceof MismatchedInputException mismatch) {
            String field = field(jackson);
            if (mismatch.getTargetType() != null && field.isEmpty()) {
                return "the body must be " + expected(mismatch.getTargetType());
            }
            return (field.isEmpty() ? "the body" : field) + " must be "
                    + (mismatch.getTargetType() == null ? "of another type" : expected(mismatch.getTargetType()));
        }
        if (jackson instanceof InputCoercionException) {
            String field = field(jackson);
            return (field.isEmpty() ? "a number" : field) + " is out of range";
        }
        if (jackson instanceof StreamConstraintsException) {
            return "the body has a value longer or deeper than this API accepts";
        }
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(jackson.getOriginalMessage()));
        if (duplicate.find()) {
            return "duplicate field '" + duplicate.group(1) + "': each field may appear once";
        }
        if (jackson instanceof StreamReadException) {
            return "the body is not valid JSON" + where(jackson.getLocation());
        }
        return "the request body could not be read";
    }

    private static JacksonException find(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof JacksonException jackson) {
                return jackson;
            }
        }
        return null;
    }

    /** The field's path in the body as the caller wrote it: {@code amount}, {@code event_types[2]}. */
    private static String field(JacksonException ex) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : ex.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String known(Collection<Object> known) {
        if (known == null || known.isEmpty()) {
            return "";
        }
        return " (fields: " + known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
    }

    private static String expected(Class<?> type) {
        if (type == BigDecimal.class || type == Double.class || type == double.class || type == Float.class
                || type == float.class) {
            return "a JSON number";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == BigInteger.class || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == UUID.class) {
            return "an id (uuid) in a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a JSON array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")) {
            return "a JSON object";
        }
        return "a value of another type";
    }

    private static String where(TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
