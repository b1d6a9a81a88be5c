package dev.cove.daemon.ops.files;

import dev.cove.api.locations.LocationInfo;
import dev.cove.daemon.library.Library;
import dev.cove.rpc.RpcException;

import java.nio.file.Path;
import java.sql.SQLException;

/** Path checks shared by files.list and files.info. */
final class IndexPaths {
    private IndexPaths() {
    }

    /** The normalized absolute path, if it lies in one of the library's locations; NOT_FOUND otherwise. */
    static String inLocation(Library lib, String path) throws SQLException {
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            throw RpcException.invalidInput("path \"" + path + "\" must be absolute");
        }
        p = p.normalize();
        String s = p.toString();
        if (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        for (LocationInfo l : lib.locations()) {
            if (p.startsWith(l.path())) {
                return s;
            }
        }
        throw RpcException.notFound(s + " is not inside any location of library \"" + lib.name()
                + "\"; add its folder with `cove location add`");
    }
}
