package dev.cove.rpc.instance;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The one way a Java client opens a daemon's socket: connect, then authenticate the server before a byte is
 * sent. The daemon checks its clients' uid on every connection; this is the same check the other way round. A
 * server not running as this process's own user is refused with {@link UntrustedServerException}: whoever made
 * the daemon folder or the socket could otherwise receive the client's hello, calls, session states and events
 * (issue 18).
 */
public final class DaemonSocket {
    private DaemonSocket() {
    }

    /**
     * Connects to {@code target} (the socket, or the short link to it from {@link InstancePaths#connectPath()})
     * and checks who serves it; {@code socket} is the path named in messages.
     */
    public static SocketChannel connect(Path socket, Path target) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(target));
            verify(ch, socket);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Refuses a connected channel whose server (SO_PEERCRED) is not this process's user; sends nothing. */
    public static void verify(SocketChannel ch, Path socket) throws IOException {
        UnixDomainPrincipal peer;
        try {
            peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (UnsupportedOperationException e) {
            throw new UntrustedServerException(socket, "unknown", -1, "cannot tell who serves " + socket
                    + ": this system does not give a Unix socket's peer credentials, and this client talks only to a "
                    + "daemon it knows runs as you");
        }
        if (FileTrust.isMe(peer.user())) {
            return;
        }
        String user = peer.user().getName();
        long uid = socketUid(socket, user);
        throw new UntrustedServerException(socket, user, uid, "the socket " + socket + " is served by another user: "
                + user + (uid >= 0 ? " (uid " + uid + ")" : "") + ", not you (" + FileTrust.myName() + ", uid "
                + FileTrust.myUid() + "). Nothing was sent to it: whoever made " + socket.getParent()
                + " could read everything your clients send. Look at `ls -la " + socket.getParent() + "`; remove "
                + socket.getParent() + " (as root if need be) and start the daemon again, or choose another --data-dir");
    }

    /** The uid of the socket file, which the server's process created, when its owner has the peer's name. */
    private static long socketUid(Path socket, String user) {
        try {
            var a = Files.readAttributes(socket, "unix:uid,owner", LinkOption.NOFOLLOW_LINKS);
            if (((java.nio.file.attribute.UserPrincipal) a.get("owner")).getName().equals(user)) {
                return ((Number) a.get("uid")).longValue();
            }
        } catch (IOException | RuntimeException ignored) {
            // the message then names the user alone
        }
        return user.chars().allMatch(Character::isDigit) && !user.isEmpty() ? Long.parseLong(user) : -1;
    }

    /** A daemon socket served by a process of another user (or of a user that cannot be told). */
    public static final class UntrustedServerException extends IOException {
        private final transient Path socket;
        private final String user;
        private final long uid;

        public UntrustedServerException(Path socket, String user, long uid, String message) {
            super(message);
            this.socket = socket;
            this.user = user;
            this.uid = uid;
        }

        public Path socket() {
            return socket;
        }

        public String user() {
            return user;
        }

        public long uid() {
            return uid;
        }

        /** As the client library reports it: UNTRUSTED_SERVER, with the socket, user and uid as details. */
        public dev.cove.rpc.RpcException toRpcException() {
            return new dev.cove.rpc.RpcException(dev.cove.rpc.ErrorCode.UNTRUSTED_SERVER, getMessage(),
                    java.util.Map.of("socket", String.valueOf(socket), "user", user, "uid", uid));
        }
    }
}
