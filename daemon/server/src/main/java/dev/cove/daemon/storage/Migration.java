package dev.cove.daemon.storage;

import java.util.List;

/**
 * One step of a database's schema history. Versions start at 1 and go up by one; a database records
 * the last version applied (SQLite's {@code user_version}) and each open applies the steps it lacks,
 * each in its own transaction. Never edit a step that has shipped: add the next one.
 *
 * @param statements SQL statements run in order (one statement each, no trailing semicolon needed)
 */
public record Migration(int version, String description, List<String> statements) {
    public Migration {
        if (version < 1) {
            throw new IllegalArgumentException("migration versions start at 1, got " + version);
        }
        statements = List.copyOf(statements);
    }

    public static Migration of(int version, String description, String... statements) {
        return new Migration(version, description, List.of(statements));
    }
}
