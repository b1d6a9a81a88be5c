package dev.cove.rpc.server;

import dev.cove.rpc.Action;
import dev.cove.rpc.Handler;
import dev.cove.rpc.Kind;
import dev.cove.rpc.MethodInfo;
import dev.cove.rpc.MethodName;
import dev.cove.rpc.Query;
import dev.cove.rpc.Request;
import dev.cove.rpc.Requests;
import dev.cove.rpc.codec.JsonSchemas;
import dev.cove.rpc.codec.Payloads;
import dev.cove.rpc.codec.TypeGraph;
import io.github.classgraph.ClassGraph;
import io.github.classgraph.ClassInfo;
import io.github.classgraph.ScanResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cove.rpc.index.OperationIndex;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every operation the daemon serves, keyed by method string. Built once at start-up, by scanning
 * packages (and plugin jars) for {@link Query} and {@link Action} handlers, and read-only after.
 */
public final class OperationRegistry {
    private static final Logger log = LoggerFactory.getLogger(OperationRegistry.class);
    private final Map<String, MethodEntry> entries;
    private final String fingerprint;

    private OperationRegistry(Map<String, MethodEntry> entries) {
        this.entries = entries;
        StringBuilder sb = new StringBuilder();
        entries.forEach((k, v) -> sb.append(k).append('=').append(v.payloads().fingerprint()).append(';'));
        this.fingerprint = TypeGraph.digest(sb.toString());
    }

    /** A builder that collects handlers from scans and explicit classes, refusing duplicates. */
    public static Builder builder(HandlerFactory factory, int maxFrameBytes) {
        return new Builder(factory, maxFrameBytes);
    }

    public static final class Builder {
        private final HandlerFactory factory;
        private final int maxFrameBytes;
        private final Map<String, MethodEntry> entries = new TreeMap<>();
        private final List<URLClassLoader> pluginLoaders = new ArrayList<>();

        private Builder(HandlerFactory factory, int maxFrameBytes) {
            this.factory = factory;
            this.maxFrameBytes = maxFrameBytes;
        }

        /**
         * Finds annotated handlers in packages of the given class loader: from the build-time index
         * ({@link OperationIndex}) when the loader has one, else by scanning.
         */
        public Builder scanPackages(ClassLoader loader, String... packages) {
            List<String> indexed;
            try {
                indexed = OperationIndex.read(loader, packages);
            } catch (IOException e) {
                log.warn("cannot read the operation index, scanning instead: {}", e.toString());
                indexed = null;
            }
            if (indexed != null && !indexed.isEmpty()) {
                addIndexed(indexed, loader, "built-in");
                return this;
            }
            try (ScanResult scan = new ClassGraph().enableClassInfo().enableAnnotationInfo()
                    .overrideClassLoaders(loader).acceptPackages(packages).scan()) {
                addAll(scan, "built-in");
            }
            return this;
        }

        private void addIndexed(List<String> names, ClassLoader loader, String source) {
            for (String name : names.stream().sorted().distinct().toList()) {
                Class<?> c;
                try {
                    c = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new IllegalStateException("the operation index of " + source + " lists " + name
                            + ", which cannot be loaded (" + e + "); rebuild it", e);
                }
                if (c.isAnnotationPresent(Query.class) || c.isAnnotationPresent(Action.class)) {
                    add(c, source);
                }
            }
        }

        /**
         * Loads operations from every jar in {@code dir} (if it exists). Each jar gets its own class
         * loader whose parent is {@code parent}, so plugins see the API but not each other.
         *
         * <p>A plugin runs as the daemon's user, so a jar another user could have written is their code
         * running as us. The folder (and the folder holding it) and each jar must belong to this process's
         * user (or root) and be writable by no one else; a jar that is a link is judged by its real path, with
         * every folder on the way to it (see {@code FileTrust.distrustRealPath}), and loaded from there. What fails
         * is not loaded, and the log says which file, why, and how to fix it. The rest of the daemon starts as usual.
         */
        public Builder scanPluginJars(Path dir, ClassLoader parent) throws IOException {
            if (!Files.isDirectory(dir)) {
                return this;
            }
            for (Path folder : List.of(dir, dir.toAbsolutePath().getParent())) {
                String why = dev.cove.rpc.instance.FileTrust.distrust(folder, true);
                if (why != null) {
                    log.error("not loading any plugin from {}: {} is not safe, {}; another user could put code there "
                            + "that would run as you. Fix: chown $USER {} && chmod go-w {}", dir, folder, why, folder,
                            folder);
                    return this;
                }
            }
            List<Path> jars;
            try (Stream<Path> s = Files.list(dir)) {
                jars = s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
            }
            for (Path jar : jars) {
                // a link is followed to the real file, and every folder on the way to it must be safe as well,
                // or another user could replace the jar (or the folder holding it) under us
                Path[] real = {jar};
                String why;
                try {
                    why = dev.cove.rpc.instance.FileTrust.distrustRealPath(jar, real);
                } catch (IOException e) {
                    why = "cannot resolve it (" + e + ")";
                }
                if (why != null) {
                    log.error("not loading plugin {}: {}; another user could have changed it, and it would run as you. "
                            + "Fix: chown $USER {} && chmod go-w {} (if you trust its content), or put a copy of "
                            + "the jar itself in {}", jar, why, real[0], real[0], dir);
                    continue;
                }
                URLClassLoader loader = new URLClassLoader("plugin:" + jar.getFileName(),
                        new URL[]{real[0].toUri().toURL()}, parent);
                pluginLoaders.add(loader);
                List<String> indexed = indexOf(real[0]);
                if (indexed != null) {
                    int before = entries.size();
                    addIndexed(indexed, loader, jar.toString());
                    log.info("plugin {}: {} operation(s)", jar.getFileName(), entries.size() - before);
                    continue;
                }
                try (ScanResult scan = new ClassGraph().enableClassInfo().enableAnnotationInfo()
                        .overrideClasspath(real[0].toString()).overrideClassLoaders(loader).ignoreParentClassLoaders()
                        .scan()) {
                    int before = entries.size();
                    addAll(scan, jar.toString());
                    log.info("plugin {}: {} operation(s)", jar.getFileName(), entries.size() - before);
                }
            }
            return this;
        }

        /** The jar's own operation index, or null when it has none. */
        private static List<String> indexOf(Path jar) throws IOException {
            try (java.util.jar.JarFile jf = new java.util.jar.JarFile(jar.toFile())) {
                java.util.jar.JarEntry e = jf.getJarEntry(OperationIndex.RESOURCE);
                if (e == null) {
                    return null;
                }
                try (java.io.InputStream in = jf.getInputStream(e)) {
                    return OperationIndex.parse(in);
                }
            }
        }

        private void addAll(ScanResult scan, String source) {
            List<ClassInfo> found = new ArrayList<>();
            found.addAll(scan.getClassesWithAnnotation(Query.class.getName()));
            found.addAll(scan.getClassesWithAnnotation(Action.class.getName()));
            found.sort(Comparator.comparing(ClassInfo::getName));
            for (ClassInfo ci : found) {
                add(ci.loadClass(), source);
            }
        }

        public Builder add(Class<?> handlerClass) {
            return add(handlerClass, "built-in");
        }

        Builder add(Class<?> handlerClass, String source) {
            MethodName name = methodOf(handlerClass);
            if (!Handler.class.isAssignableFrom(handlerClass) || handlerClass.isInterface()
                    || Modifier.isAbstract(handlerClass.getModifiers())) {
                throw new IllegalStateException(handlerClass.getName() + " is annotated as " + name
                        + " but is not a concrete class implementing Handler");
            }
            Class<?> input = Requests.resultType(handlerClass, Handler.class);
            if (input == null || !Request.class.isAssignableFrom(input)) {
                throw new IllegalStateException(handlerClass.getName()
                        + " must implement Handler<InputRecord, OutputRecord> with concrete types");
            }
            Requests.Info info;
            try {
                info = Requests.info(input);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(handlerClass.getName() + ": " + e.getMessage(), e);
            }
            if (!info.method().equals(name)) {
                throw new IllegalStateException(handlerClass.getName() + " is annotated as " + name + " but its input "
                        + input.getName() + " names " + info.method() + "; make them agree");
            }
            MethodEntry existing = entries.get(name.wire());
            if (existing != null) {
                throw new IllegalStateException("two handlers for " + name.wire() + ": "
                        + existing.handlerClass().getName() + " (" + existing.source() + ") and "
                        + handlerClass.getName() + " (" + source + ")");
            }
            Object handler;
            try {
                handler = factory.create(handlerClass);
            } catch (Exception e) {
                throw new IllegalStateException("cannot create handler " + handlerClass.getName() + ": " + e, e);
            }
            Payloads payloads = new Payloads(maxFrameBytes, List.of(input, info.resultType()));
            entries.put(name.wire(), new MethodEntry(name, handlerClass, (Handler<?, ?>) handler, input,
                    info.resultType(), payloads, source));
            return this;
        }

        /** Whether a handler for this wire method (e.g. {@code query:core.ping.v1}) was added. */
        public boolean has(String wireMethod) {
            return entries.containsKey(wireMethod);
        }

        public OperationRegistry build() {
            return new OperationRegistry(entries);
        }
    }

    /**
     * Loads the indexed handlers of {@code packages} and their contract types on a background thread, so
     * that a start-up doing other work meanwhile (opening databases) finds them ready. Best effort: the
     * builder loads whatever this has not.
     */
    public static void preload(ClassLoader loader, String... packages) {
        Thread.ofPlatform().daemon().name("operation-preload").start(() -> {
            try {
                List<String> names = OperationIndex.read(loader, packages);
                if (names == null) {
                    return;
                }
                for (String name : names) {
                    Class<?> handler = Class.forName(name, false, loader);
                    Class<?> input = Requests.resultType(handler, Handler.class);
                    if (input != null && Request.class.isAssignableFrom(input)) {
                        TypeGraph.of(List.of(input, Requests.info(input).resultType()));
                    }
                }
            } catch (Exception | LinkageError e) {
                log.debug("preloading operations stopped: {}", e.toString());
            }
        });
    }

    static MethodName methodOf(Class<?> c) {
        Query q = c.getAnnotation(Query.class);
        Action a = c.getAnnotation(Action.class);
        if ((q == null) == (a == null)) {
            throw new IllegalStateException(c.getName() + " must carry exactly one of @Query and @Action");
        }
        try {
            return q != null ? new MethodName(Kind.QUERY, q.value(), q.version())
                    : new MethodName(Kind.ACTION, a.value(), a.version());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(c.getName() + ": " + e.getMessage(), e);
        }
    }

    public MethodEntry find(String method) {
        return entries.get(method);
    }

    public Collection<MethodEntry> entries() {
        return entries.values();
    }

    public int size() {
        return entries.size();
    }

    /** Hash over every method and its Kryo schema; equal registries have equal fingerprints. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Methods whose name is closest to a mistyped one, for METHOD_NOT_FOUND messages. */
    public List<String> suggestions(String method) {
        String needle = method == null ? "" : method.replaceFirst("^(query|action):", "").replaceAll("(\\.input)?\\.v\\d+$", "");
        return entries.keySet().stream()
                .filter(m -> !needle.isEmpty() && (m.contains(needle) || needle.contains(m.replaceFirst("^(query|action):", "").replaceAll("(\\.input)?\\.v\\d+$", ""))))
                .limit(5).toList();
    }

    public List<MethodInfo> describe() {
        List<MethodInfo> out = new ArrayList<>();
        for (MethodEntry e : entries.values()) {
            out.add(new MethodInfo(e.name().wire(), e.name().kind(), e.name().name(), e.name().version(),
                    e.inputType().getSimpleName(), JsonSchemas.of(e.inputType()), e.outputType().getSimpleName(),
                    JsonSchemas.of(e.outputType()), e.handlerClass().getName(), e.source(),
                    e.payloads().fingerprint()));
        }
        return out;
    }
}
