package dev.cove.desktop;

import javafx.scene.Scene;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a scene to PNG. Done by hand (pixels into a BufferedImage) so the app needs no javafx-swing for it. */
final class Snapshot {
    private Snapshot() {
    }

    /** Must run on the FX thread. */
    static void write(Scene scene, Path file) throws IOException {
        WritableImage fx = scene.snapshot(null);
        int w = (int) fx.getWidth();
        int h = (int) fx.getHeight();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        PixelReader px = fx.getPixelReader();
        int[] line = new int[w];
        for (int y = 0; y < h; y++) {
            px.getPixels(0, y, w, 1, javafx.scene.image.PixelFormat.getIntArgbInstance(), line, 0, w);
            img.setRGB(0, y, w, 1, line, 0, w);
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }
}
