package dev.cove.api.files;

/** What an entry is, judged by its extension (folders by being folders). */
public enum FileKind {
    IMAGE, VIDEO, AUDIO, DOCUMENT, CODE, ARCHIVE, FOLDER, OTHER
}
