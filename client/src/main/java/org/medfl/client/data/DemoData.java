package org.medfl.client.data;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A synthetic, deterministic image set for demos and tests: gray-scale pictures of one shape each
 * (circle, square, triangle, cross) at a random position, size, rotation and brightness over a noisy background.
 *
 * <p>Sites get different class mixes, a non-IID split as in real consortia: site 0 holds mostly circles and
 * squares, site 1 mostly triangles and crosses, site 2 a balanced mix (then repeating); every class keeps at
 * least 10% at every site. The same (seed, site) always writes byte-identical files.
 */
public final class DemoData {

  private static final List<String> CLASSES = List.of("circle", "square", "triangle", "cross");

  /** Class shares per site pattern; rows are siteIndex % 3, columns follow {@link #classes()}. */
  private static final double[][] MIX = {
      {0.4, 0.4, 0.1, 0.1},
      {0.1, 0.1, 0.4, 0.4},
      {0.25, 0.25, 0.25, 0.25},
  };

  /** Sub-samples per pixel side: 4x4 smooths the edges so small images stay recognisable. */
  private static final int SUPERSAMPLE = 4;

  private DemoData() {}

  /** The demo labels, in the order a demo JOB.yaml lists them. */
  public static List<String> classes() {
    return CLASSES;
  }

  /**
   * Writes {@code images} PNG files into {@code siteDir/<class>/img-00001.png}, numbered across classes.
   * Files of the same names are replaced; other files are left alone.
   *
   * @param siteIndex 0, 1, 2, ... picks the site's class mix (see the class comment)
   * @param size width and height in pixels, at least 8
   * @param seed with {@code siteIndex}, fixes every pixel
   */
  public static void generate(Path siteDir, int siteIndex, int images, int size, long seed) {
    if (siteIndex < 0 || images < 0 || size < 8) {
      throw new IllegalArgumentException("need siteIndex >= 0, images >= 0 and size >= 8, got "
          + siteIndex + ", " + images + ", " + size);
    }
    var rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + siteIndex);
    int[] labels = labels(MIX[siteIndex % MIX.length], images, rnd);
    try {
      for (String c : CLASSES) {
        Files.createDirectories(siteDir.resolve(c));
      }
      for (int i = 0; i < images; i++) {
        BufferedImage image = draw(labels[i], size, rnd);
        Path file = siteDir.resolve(CLASSES.get(labels[i])).resolve(String.format("img-%05d.png", i + 1));
        ImageIO.write(image, "png", file.toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write demo images under " + siteDir, e);
    }
  }

  /** The mix's share of each class (largest remainders), at least one each when there is room, shuffled. */
  private static int[] labels(double[] mix, int images, SplittableRandom rnd) {
    int[] counts = new int[mix.length];
    int assigned = 0;
    for (int c = 0; c < mix.length; c++) {
      counts[c] = (int) Math.floor(mix[c] * images);
      assigned += counts[c];
    }
    for (; assigned < images; assigned++) {
      counts[argMax(c -> mix[c] * images - counts[c], mix.length)]++;
    }
    for (int c = 0; c < mix.length && images >= mix.length; c++) {
      if (counts[c] == 0) {
        counts[argMax(k -> counts[k], mix.length)]--;
        counts[c]++;
      }
    }
    int[] labels = new int[images];
    int k = 0;
    for (int c = 0; c < counts.length; c++) {
      for (int j = 0; j < counts[c]; j++) {
        labels[k++] = c;
      }
    }
    for (int i = images - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = labels[i];
      labels[i] = labels[j];
      labels[j] = t;
    }
    return labels;
  }

  private static int argMax(java.util.function.IntToDoubleFunction f, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      best = f.applyAsDouble(i) > f.applyAsDouble(best) ? i : best;
    }
    return best;
  }

  private static BufferedImage draw(int label, int size, SplittableRandom rnd) {
    double background = rnd.nextDouble(0.0, 0.25);
    double foreground = rnd.nextDouble(0.6, 1.0);
    double cx = size * rnd.nextDouble(0.35, 0.65);
    double cy = size * rnd.nextDouble(0.35, 0.65);
    double r = size * rnd.nextDouble(0.22, 0.34);
    double angle = rnd.nextDouble(0, Math.PI / 2);
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    var image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = image.getRaster();
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int inside = 0;
        for (int sy = 0; sy < SUPERSAMPLE; sy++) {
          for (int sx = 0; sx < SUPERSAMPLE; sx++) {
            double dx = x + (sx + 0.5) / SUPERSAMPLE - cx;
            double dy = y + (sy + 0.5) / SUPERSAMPLE - cy;
            // shape coordinates: rotated and scaled so the shape spans [-1, 1]
            double u = (cos * dx + sin * dy) / r;
            double v = (-sin * dx + cos * dy) / r;
            inside += contains(label, u, v) ? 1 : 0;
          }
        }
        double coverage = inside / (double) (SUPERSAMPLE * SUPERSAMPLE);
        double value = background + coverage * (foreground - background) + rnd.nextDouble(-0.08, 0.08);
        raster.setSample(x, y, 0, (int) Math.round(255 * Math.max(0, Math.min(1, value))));
      }
    }
    return image;
  }

  private static boolean contains(int label, double u, double v) {
    return switch (label) {
      case 0 -> u * u + v * v <= 1;                                     // circle
      case 1 -> Math.abs(u) <= 0.8 && Math.abs(v) <= 0.8;               // square
      case 2 -> v <= 0.5 && v >= Math.sqrt(3) * Math.abs(u) - 1;        // triangle pointing up, apex at v = -1
      case 3 -> (Math.abs(u) <= 0.25 || Math.abs(v) <= 0.25)            // cross
          && Math.abs(u) <= 1 && Math.abs(v) <= 1;
      default -> throw new IllegalArgumentException("no shape for label " + label);
    };
  }
}
