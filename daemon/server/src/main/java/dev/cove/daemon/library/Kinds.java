package dev.cove.daemon.library;

import dev.cove.api.files.FileKind;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** File kinds by extension. */
public final class Kinds {
    private static final Map<String, FileKind> BY_EXT = new HashMap<>();

    static {
        put(FileKind.IMAGE, "jpg jpeg png gif bmp tif tiff webp heic heif svg ico raw cr2 nef arw dng psd avif");
        put(FileKind.VIDEO, "mp4 mkv mov avi wmv flv webm m4v mpg mpeg 3gp ts");
        put(FileKind.AUDIO, "mp3 wav flac aac ogg oga m4a wma opus aiff aif mid midi");
        put(FileKind.DOCUMENT, "pdf doc docx xls xlsx ppt pptx odt ods odp rtf txt md markdown epub csv tex pages key numbers");
        put(FileKind.CODE, "java kt kts scala groovy c h cc cpp hpp cxx cs go rs py rb php js mjs cjs ts tsx jsx swift m sh bash zsh fish "
                + "pl lua r sql html htm css scss sass less xml json yaml yml toml ini gradle properties vue dart hs ex exs clj erl");
        put(FileKind.ARCHIVE, "zip tar gz tgz bz2 tbz2 xz txz zst 7z rar jar war iso dmg deb rpm apk lz lzma cab");
        // "ts" is far more often TypeScript than MPEG transport stream in a person's folders
        BY_EXT.put("ts", FileKind.CODE);
    }

    private Kinds() {
    }

    private static void put(FileKind kind, String exts) {
        for (String e : exts.split(" ")) {
            BY_EXT.put(e, kind);
        }
    }

    /** Lower-case extension without the dot; "" when none (dot files like ".bashrc" have none). */
    public static String extension(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return "";
        }
        return name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    public static FileKind of(String name, boolean folder) {
        if (folder) {
            return FileKind.FOLDER;
        }
        return BY_EXT.getOrDefault(extension(name), FileKind.OTHER);
    }
}
