package org.medfl.deploy.simulate;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.medfl.client.data.DataException;
import org.medfl.client.data.DemoData;
import org.medfl.client.data.DicomPhantoms;
import org.medfl.client.data.FashionMnist;
import org.medfl.client.data.LabeledImages;
import org.medfl.client.data.Partitioner;
import org.medfl.common.job.WindowSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gives each simulated site its own data folder in the layout a real site agent reads ({@code <label>/<file>}), from
 * the synthetic CT phantoms (DICOM), the demo shapes (PNG), Fashion-MNIST (Debian's package) or any labelled folder,
 * split by a {@link Partitioner} spec.
 */
public final class SimulationData {
  /** Data set names {@link #prepare} knows; anything else is a folder. */
  public static final List<String> DATASETS = List.of("phantoms", "demo", "fashion-mnist");
  /** Phantom images per site unless capped otherwise. */
  static final int PHANTOM_IMAGES = 400;
  /** Phantom rows and columns: at 64 the nodule (radius 3.5% to 6% of the side) spans 4 to 8 pixels. */
  static final int PHANTOM_SIZE = 64;
  /**
   * A lung window (centre -600 HU, width 1500 HU, as the phantoms' own tags say): lung (-850 HU) lands near 0.33
   * and a nodule (20 to 90 HU) above 0.9, so the one thing that tells the classes apart keeps its contrast.
   */
  static final WindowSpec LUNG_WINDOW = new WindowSpec(-600.0, 1500.0, false);

  private SimulationData() {}

  /**
   * What was prepared.
   *
   * @param classes label names, in label order
   * @param description one line for the console
   * @param testSet a held-out test set the harness evaluates the final model on, or null (each site's own split)
   * @param window the CT window the job should apply, or null for none
   */
  public record Prepared(List<String> classes, int size, int channels, String description, LabeledImages testSet,
      WindowSpec window) {

    /** The JOB.yaml line for {@link #window}, or an empty line. */
    public String preprocessingYaml() {
      return window == null ? "" : "preprocessing: {window: {center: " + window.center() + ", width: "
          + window.width() + "}}";
    }
  }

  /**
   * Writes every site's folder under {@code dataRoot}.
   *
   * @param dataset "phantoms", "demo", "fashion-mnist" or a folder of {@code <label>/<image>} files
   * @param partition how a real data set is split ("iid", "dirichlet:A", "shards:K", "file:PATH"); phantoms and demo
   *     data have their own per-site skew
   * @param imagesPerSite cap per site (null: 400 phantoms, the demo's 600, or all of a real data set's share)
   */
  public static Prepared prepare(String dataset, String partition, List<String> sites, Path dataRoot,
      Integer imagesPerSite, long seed) {
    try {
      if (dataset.equals("phantoms")) {
        return phantoms(sites, dataRoot, imagesPerSite == null ? PHANTOM_IMAGES : imagesPerSite, seed);
      }
      if (dataset.equals("demo")) {
        int images = imagesPerSite == null ? 600 : imagesPerSite;
        for (int i = 0; i < sites.size(); i++) {
          DemoData.generate(dataRoot.resolve(sites.get(i)), i, images, 28, seed);
        }
        return new Prepared(DemoData.classes(), 28, 1, images + " synthetic 28x28 shape images per site (not "
            + "medical data), class balance differs per site", null, null);
      }
      if (dataset.equals("fashion-mnist")) {
        return fashionMnist(partition, sites, dataRoot, imagesPerSite, seed);
      }
      return folder(Path.of(dataset), partition, sites, dataRoot, imagesPerSite, seed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the sites' data in " + dataRoot + ": " + e.getMessage(), e);
    }
  }

  private static Prepared phantoms(List<String> sites, Path dataRoot, int images, long seed) {
    for (int i = 0; i < sites.size(); i++) {
      DicomPhantoms.generate(dataRoot.resolve(sites.get(i)), i, images, PHANTOM_SIZE, seed);
    }
    return new Prepared(DicomPhantoms.classes(), PHANTOM_SIZE, 1, "SYNTHETIC CT PHANTOMS, not patient data: "
        + images + " DICOM slices per site (" + PHANTOM_SIZE + "x" + PHANTOM_SIZE + ", HU), a body with two lungs, "
        + "'nodule' slices add a dense blob in one lung; noise, calibration offset and nodule share differ per site; "
        + "lung window " + LUNG_WINDOW.center().intValue() + "/" + LUNG_WINDOW.width().intValue() + " HU", null,
        LUNG_WINDOW);
  }

  private static Prepared fashionMnist(String partition, List<String> sites, Path dataRoot, Integer cap, long seed)
      throws IOException {
    FashionMnist.Split train = FashionMnist.train(FashionMnist.DEBIAN_DIR);
    List<int[]> parts = Partitioner.partition(train.labels(), FashionMnist.CLASSES.size(), sites.size(), partition,
        seed);
    int written = 0;
    for (int s = 0; s < sites.size(); s++) {
      int[] part = parts.get(s);
      int count = cap == null ? part.length : Math.min(cap, part.length);
      for (int k = 0; k < count; k++) {
        int index = part[k];
        Path dir = dataRoot.resolve(sites.get(s)).resolve(FashionMnist.CLASSES.get(train.labels()[index]));
        Files.createDirectories(dir);
        ImageIO.write(gray(train.pixels()[index], train.rows(), train.cols()), "png",
            dir.resolve(String.format("train-%05d.png", index)).toFile());
        written++;
      }
    }
    FashionMnist.Split test = FashionMnist.test(FashionMnist.DEBIAN_DIR);
    return new Prepared(FashionMnist.CLASSES, 28, 1, "Fashion-MNIST (" + written + " training images, partition "
        + partition + "), final model tested on the official " + test.size() + " test images", toImages(test), null);
  }

  private static Prepared folder(Path source, String partition, List<String> sites, Path dataRoot, Integer cap,
      long seed) throws IOException {
    if (!Files.isDirectory(source)) {
      throw new IllegalArgumentException("--dataset must be " + String.join(", ", DATASETS) + " or a folder of "
          + "<label>/<image> files; " + source + " is none of these");
    }
    List<String> classes;
    try (Stream<Path> labels = Files.list(source)) {
      classes = labels.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labelList = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      try (Stream<Path> members = Files.list(source.resolve(classes.get(c)))) {
        for (Path file : members.filter(Files::isRegularFile).sorted().toList()) {
          files.add(file);
          labelList.add(c);
        }
      }
    }
    if (classes.size() < 2 || files.isEmpty()) {
      throw new DataException(source + " needs at least two label folders with images in them");
    }
    int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
    List<int[]> parts = Partitioner.partition(labels, classes.size(), sites.size(), partition, seed);
    for (int s = 0; s < sites.size(); s++) {
      int[] part = parts.get(s);
      int count = cap == null ? part.length : Math.min(cap, part.length);
      for (int k = 0; k < count; k++) {
        Path file = files.get(part[k]);
        Path dir = dataRoot.resolve(sites.get(s)).resolve(classes.get(labels[part[k]]));
        Files.createDirectories(dir);
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
    return new Prepared(classes, 28, 1, files.size() + " images from " + source + " (partition " + partition + ")",
        null, null);
  }

  private static BufferedImage gray(byte[] pixels, int rows, int cols) {
    BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, cols, rows, pixels);
    return image;
  }

  /** The official Fashion-MNIST test set, as model input in [0, 1]. */
  public static LabeledImages fashionMnistTest() {
    return toImages(FashionMnist.test(FashionMnist.DEBIAN_DIR));
  }

  private static LabeledImages toImages(FashionMnist.Split split) {
    int n = split.size();
    int pixels = split.rows() * split.cols();
    float[] values = new float[n * pixels];
    for (int i = 0; i < n; i++) {
      byte[] image = split.pixels()[i];
      for (int p = 0; p < pixels; p++) {
        values[i * pixels + p] = (image[p] & 0xff) / 255f;
      }
    }
    var features = Nd4j.create(values, new long[] {n, 1, split.rows(), split.cols()}, DataType.FLOAT);
    List<String> patients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      patients.add(null);
    }
    return new LabeledImages(features, split.labels().clone(), FashionMnist.CLASSES, patients);
  }
}
