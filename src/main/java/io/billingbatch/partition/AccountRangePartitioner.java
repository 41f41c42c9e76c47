package io.billingbatch.partition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Splits the ledger into {@code gridSize} ranges of account ids with as many billing accounts each
 * ({@code ntile} over {@code billing_accounts}, in PostgreSQL's order of uuid). The first range is
 * open below and the last open above, so a ledger row of an account that has no row in
 * {@code billing_accounts} (an orphan) still falls in exactly one partition. Fewer accounts than
 * the grid give fewer partitions; none gives one partition over everything.
 */
public class AccountRangePartitioner implements Partitioner {

    private static final String BOUNDARIES = """
            SELECT DISTINCT ON (tile) id AS boundary -- each tile's first account (no min() of uuid before PostgreSQL 16)
            FROM (SELECT id, ntile(:grid) OVER (ORDER BY id) AS tile FROM billing_accounts) tiles
            WHERE tile > 1
            ORDER BY tile, id
            """;

    private final JdbcClient jdbc;

    public AccountRangePartitioner(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The ranges, in account order; one range over everything for a grid of 1. */
    public List<AccountRange> ranges(int gridSize) {
        if (gridSize <= 1) {
            return List.of(AccountRange.ALL);
        }
        List<UUID> boundaries = jdbc.sql(BOUNDARIES).param("grid", gridSize).query(UUID.class).list();
        List<AccountRange> ranges = new ArrayList<>(boundaries.size() + 1);
        UUID from = null;
        for (UUID boundary : boundaries) {
            ranges.add(new AccountRange(from, boundary));
            from = boundary;
        }
        ranges.add(new AccountRange(from, null));
        return ranges;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        List<AccountRange> ranges = ranges(gridSize);
        for (int i = 0; i < ranges.size(); i++) {
            ExecutionContext context = new ExecutionContext();
            ranges.get(i).putInto(context);
            partitions.put(name(i), context);
        }
        return partitions;
    }

    static String name(int index) {
        return "partition" + index;
    }
}
