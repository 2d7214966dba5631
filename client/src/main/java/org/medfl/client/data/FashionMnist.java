package org.medfl.client.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747) from the files of Debian's {@code dataset-fashion-mnist}
 * package: 60,000 training and 10,000 test images, 28x28 grayscale, 10 classes. Nothing is downloaded.
 */
public final class FashionMnist {
  /** Where Debian's package puts the IDX files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  /** Class names in label order, usable as folder names. */
  public static final List<String> CLASSES = List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal",
      "shirt", "sneaker", "bag", "ankle-boot");

  private FashionMnist() {}

  /**
   * Images as unsigned bytes, row-major, and their labels.
   *
   * @param pixels one array of rows*cols values (0..255) per image
   */
  public record Split(byte[][] pixels, int[] labels, int rows, int cols) {
    /** Number of images. */
    public int size() {
      return labels.length;
    }
  }

  /** True when the package's files are present in {@code dir}. */
  public static boolean available(Path dir) {
    return Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
        && Files.isRegularFile(dir.resolve("t10k-labels-idx1-ubyte.gz"));
  }

  /** The 60,000 training images. */
  public static Split train(Path dir) {
    return read(dir, "train");
  }

  /** The official 10,000 test images. */
  public static Split test(Path dir) {
    return read(dir, "t10k");
  }

  private static Split read(Path dir, String prefix) {
    if (!available(dir)) {
      throw new DataException("Fashion-MNIST is not in " + dir + "; install it with 'apt-get install "
          + "dataset-fashion-mnist' (Debian), or pass another folder");
    }
    try {
      int[] labels = readLabels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"));
      try (DataInputStream in = open(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
        expectMagic(in, 0x00000803, prefix + "-images");
        int count = in.readInt();
        int rows = in.readInt();
        int cols = in.readInt();
        if (count != labels.length) {
          throw new DataException(dir + ": " + count + " images but " + labels.length + " labels");
        }
        byte[][] pixels = new byte[count][rows * cols];
        for (byte[] image : pixels) {
          in.readFully(image);
        }
        return new Split(pixels, labels, rows, cols);
      }
    } catch (IOException e) {
      throw new DataException("cannot read Fashion-MNIST from " + dir + ": " + e.getMessage());
    }
  }

  private static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      expectMagic(in, 0x00000801, file.getFileName().toString());
      int[] labels = new int[in.readInt()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = in.readUnsignedByte();
        if (labels[i] >= CLASSES.size()) {
          throw new DataException(file + ": label " + labels[i] + " at " + i + " is not a Fashion-MNIST class");
        }
      }
      return labels;
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = Files.newInputStream(file);
    return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
  }

  private static void expectMagic(DataInputStream in, int magic, String what) throws IOException {
    int actual = in.readInt();
    if (actual != magic) {
      throw new DataException(what + " is not an IDX file of the expected kind (magic " + Integer.toHexString(actual)
          + ")");
    }
  }
}
