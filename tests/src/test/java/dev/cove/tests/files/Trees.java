package dev.cove.tests.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Generated folder trees and what a plain {@code Files.walk} sees in them. */
final class Trees {
    static final String[] WORDS = {"beach", "Report", "holiday", "IMG", "notes", "budget", "song", "clip", "main",
            "archive", "draft", "Summer", "data", "x", "ab", "Ünïcode", "with space", "a+b(c)", "100%", "under_score"};
    static final String[] EXTS = {"jpg", "PNG", "mp4", "mp3", "pdf", "txt", "java", "zip", "tar.gz", "", "md", "json"};

    private Trees() {
    }

    /** {@code files} files in nested folders, seeded; names mix words, digits and extensions; a few duplicates. */
    static void generate(Path root, int files, long seed) {
        Random r = new Random(seed);
        try {
            List<Path> dirs = new ArrayList<>();
            dirs.add(root);
            Files.createDirectories(root);
            long baseTime = 1_600_000_000_000L;
            for (int i = 0; i < files; i++) {
                if (r.nextInt(12) == 0) {
                    Path d = dirs.get(r.nextInt(dirs.size())).resolve(WORDS[r.nextInt(WORDS.length)] + "-dir" + i);
                    Files.createDirectories(d);
                    dirs.add(d);
                }
                Path dir = dirs.get(r.nextInt(dirs.size()));
                String ext = EXTS[r.nextInt(EXTS.length)];
                String name = WORDS[r.nextInt(WORDS.length)] + (r.nextBoolean() ? "_" + r.nextInt(1000) : "") + "-" + i
                        + (ext.isEmpty() ? "" : "." + ext);
                Path f = dir.resolve(name);
                byte[] data;
                if (r.nextInt(20) == 0) {
                    data = "duplicate content".getBytes(); // shared by ~5% of files
                } else {
                    data = new byte[r.nextInt(r.nextInt(10) == 0 ? 200_000 : 3000)];
                    r.nextBytes(data);
                }
                Files.write(f, data);
                Files.setLastModifiedTime(f, FileTime.fromMillis(baseTime + r.nextLong(300L * 24 * 3600 * 1000)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One entry as the test sees it on disk. */
    record Disk(String path, String name, boolean folder, long size, long modifiedMillis) {
    }

    static List<Disk> walk(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            List<Disk> out = new ArrayList<>();
            for (Path p : s.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String name = p.getFileName().toString();
                out.add(new Disk(p.toString(), name, a.isDirectory(), a.isDirectory() ? 0 : a.size(),
                        a.lastModifiedTime().toMillis()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
