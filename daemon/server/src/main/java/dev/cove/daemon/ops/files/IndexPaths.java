package dev.cove.daemon.ops.files;

import dev.cove.api.files.FileNames;
import dev.cove.api.locations.LocationInfo;
import dev.cove.daemon.library.Libraries;
import dev.cove.daemon.library.Library;
import dev.cove.rpc.ErrorCode;
import dev.cove.rpc.RpcException;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Path checks shared by the file operations: files.list and files.info look inside one library; copy, move,
 * rename and delete act only on sources inside a location of one of the instance's libraries.
 */
final class IndexPaths {
    /** {@code details.reason} of the INVALID_INPUT error for a source outside every library. */
    static final String OUTSIDE_LIBRARIES = "outside_libraries";

    private IndexPaths() {
    }

    /** The normalized absolute path, if it lies in one of the library's locations; NOT_FOUND otherwise. */
    static String inLocation(Library lib, String path) throws SQLException {
        Path p = absolute(path);
        String s = FileNames.of(p);
        for (LocationInfo l : lib.locations()) {
            if (p.startsWith(FileNames.path(l.path()))) {
                return s;
            }
        }
        throw RpcException.notFound(FileNames.display(s) + " is not inside any location of library \"" + lib.name()
                + "\"; add its folder with `cove location add`");
    }

    /**
     * The normalized path of a file operation's source, if it lies in a location of one of the instance's
     * libraries. The folder it sits in is also resolved through symbolic links, so a link inside a location
     * cannot lead the operation to a file outside. Anything else is INVALID_INPUT with
     * {@code details.reason = "outside_libraries"}, the path, and the locations that would do.
     */
    static Path managed(Libraries libraries, String path) {
        Path p = absolute(path);
        if (!libraries.locationsContaining(p).isEmpty() && !libraries.locationsContaining(real(p)).isEmpty()) {
            return p;
        }
        Map<String, List<String>> where = new LinkedHashMap<>();
        for (Library lib : libraries.all()) {
            try {
                for (LocationInfo l : lib.locations()) {
                    where.computeIfAbsent(lib.name(), k -> new ArrayList<>()).add(l.path());
                }
            } catch (SQLException ignored) {
                // a library closed meanwhile has no locations to offer
            }
        }
        StringBuilder m = new StringBuilder(FileNames.show(p) + " is not inside any location of this instance's libraries, "
                + "and Cove's file operations act only on what it manages; ");
        if (where.isEmpty()) {
            m.append("no library has a location yet");
        } else {
            m.append("the locations are ");
            List<String> parts = new ArrayList<>();
            where.forEach((lib, paths) -> parts.add(String.join(", ", paths) + " (library " + lib + ")"));
            m.append(String.join("; ", parts));
        }
        m.append(". To manage its folder, add it with `cove location add ")
                .append(p.getParent() == null ? p : p.getParent()).append('`');
        throw new RpcException(ErrorCode.INVALID_INPUT, m.toString(),
                Map.of("reason", OUTSIDE_LIBRARIES, "path", FileNames.of(p), "locations", where));
    }

    private static Path absolute(String path) {
        Path p = FileNames.path(path); // the name's own bytes, also when they are not UTF-8
        if (!p.isAbsolute()) {
            throw RpcException.invalidInput("path \"" + path + "\" must be absolute");
        }
        return p.normalize(); // also drops a trailing slash
    }

    /** The path with its folder's symbolic links resolved (the last name is kept: it may itself be a link). */
    private static Path real(Path p) {
        Path parent = p.getParent();
        if (parent == null || p.getFileName() == null) {
            return p;
        }
        try {
            return parent.toRealPath().resolve(p.getFileName());
        } catch (IOException e) {
            return p; // a missing folder: the operation then reports the source as not found
        }
    }
}
