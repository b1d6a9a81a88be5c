package dev.cove.api.libraries;

/** Validation shared by the library contracts. */
public final class LibraryNames {
    private LibraryNames() {
    }

    /** Trims and checks a library name: 1 to 100 characters, no control characters. */
    public static String check(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a library needs a name, e.g. \"Photos\"");
        }
        String n = name.strip();
        if (n.length() > 100) {
            throw new IllegalArgumentException("library name is " + n.length() + " characters long; use at most 100");
        }
        if (n.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("library name \"" + n + "\" contains control characters");
        }
        return n;
    }

    /** A library reference (id or name) must not be blank. */
    public static String ref(String library) {
        if (library == null || library.isBlank()) {
            throw new IllegalArgumentException("name a library by its id or name (see `cove library list`)");
        }
        return library.strip();
    }
}
