package dev.cove.daemon.storage;

/** A database could not be opened, migrated, read or written. The message names the file. */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
