package org.medfl.client.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic CT slices as real DICOM Part 10 files, for demos and tests without patient data: a body-like ellipse of
 * soft tissue with two air-filled lungs; a "nodule" image adds a small round dense blob inside one lung. Values are
 * Hounsfield units stored as 16-bit signed integers with Rescale Slope 1 and Rescale Intercept -1024, Modality CT.
 * Every file says it is synthetic: Patient's Name "SYNTHETIC^PHANTOM", Series Description and Image Comments
 * "SYNTHETIC PHANTOM".
 *
 * <p>Sites differ as scanners and populations do: noise, an intensity offset (calibration) and the share of nodule
 * images change with {@code siteIndex % 3}. The same (seed, site) always writes byte-identical files.
 */
public final class DicomPhantoms {

  private static final List<String> CLASSES = List.of("normal", "nodule");
  /** Per site pattern (siteIndex % 3): share of nodule images, noise sigma in HU, calibration offset in HU. */
  private static final double[] NODULE_SHARE = {0.3, 0.7, 0.5};
  private static final double[] NOISE_HU = {8, 25, 15};
  private static final double[] OFFSET_HU = {0, 30, -25};
  private static final double AIR_HU = -1000;
  private static final double TISSUE_HU = 40;
  private static final double LUNG_HU = -850;
  /** Stored value = HU - intercept. */
  private static final int INTERCEPT = -1024;
  private static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
  private static final String MARK = "SYNTHETIC PHANTOM";
  /** Two slices per synthetic patient, so that patient-wise splits have something to keep together. */
  private static final int SLICES_PER_PATIENT = 2;

  private DicomPhantoms() {}

  /** The phantom labels, in the order a JOB.yaml lists them. */
  public static List<String> classes() {
    return CLASSES;
  }

  /**
   * Writes {@code images} files {@code siteDir/<label>/ct-00001.dcm}, numbered across labels; files of the same
   * names are replaced, others are left alone. The patient is in the header only, never in the file name: site logs
   * name skipped files, and a file name is where hospital exports most often leak a patient id.
   *
   * @param siteIndex 0, 1, 2, ... picks noise, offset and class balance (see the class comment)
   * @param size rows and columns, 16 to 1024
   * @param seed with {@code siteIndex}, fixes every byte
   */
  public static void generate(Path siteDir, int siteIndex, int images, int size, long seed) {
    if (siteIndex < 0 || images < 0 || size < 16 || size > 1024) {
      throw new IllegalArgumentException("need siteIndex >= 0, images >= 0 and size in 16..1024, got "
          + siteIndex + ", " + images + ", " + size);
    }
    var rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 31L * siteIndex + 7);
    int pattern = siteIndex % 3;
    String study = DicomWriter.uid("phantom-study/" + seed + "/" + siteIndex);
    String series = DicomWriter.uid("phantom-series/" + seed + "/" + siteIndex);
    try {
      for (String c : CLASSES) {
        Files.createDirectories(siteDir.resolve(c));
      }
      for (int i = 0; i < images; i++) {
        boolean nodule = rnd.nextDouble() < NODULE_SHARE[pattern];
        String patient = String.format("PHANTOM-S%02d-P%04d", siteIndex, i / SLICES_PER_PATIENT + 1);
        double[] hu = slice(size, nodule, NOISE_HU[pattern], OFFSET_HU[pattern], rnd);
        Path file = siteDir.resolve(CLASSES.get(nodule ? 1 : 0)).resolve(String.format("ct-%05d.dcm", i + 1));
        write(file, hu, size, patient, study, series, i + 1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write phantom DICOM files under " + siteDir, e);
    }
  }

  /** One slice in HU, row-major, already rounded to whole HU and clipped to what 16 bits store. */
  private static double[] slice(int size, boolean nodule, double noise, double offset, SplittableRandom rnd) {
    double cx = size * (0.5 + rnd.nextDouble(-0.03, 0.03));
    double cy = size * (0.5 + rnd.nextDouble(-0.03, 0.03));
    double bodyRx = size * rnd.nextDouble(0.40, 0.46);
    double bodyRy = size * rnd.nextDouble(0.32, 0.38);
    double lungRx = bodyRx * 0.30;
    double lungRy = bodyRy * 0.60;
    double lungDx = bodyRx * 0.45;
    int side = rnd.nextBoolean() ? 1 : -1;
    // the nodule sits well inside its lung: within half the lung's radii of the lung's centre
    double nx = cx + side * lungDx + lungRx * rnd.nextDouble(-0.5, 0.5);
    double ny = cy + lungRy * rnd.nextDouble(-0.5, 0.5);
    double nr = Math.max(1.5, size * rnd.nextDouble(0.035, 0.06));
    double noduleHu = rnd.nextDouble(20, 90);
    double[] hu = new double[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double px = x + 0.5;
        double py = y + 0.5;
        double v = AIR_HU;
        if (inEllipse(px - cx, py - cy, bodyRx, bodyRy)) {
          v = TISSUE_HU;
          if (inEllipse(px - cx - lungDx, py - cy, lungRx, lungRy)
              || inEllipse(px - cx + lungDx, py - cy, lungRx, lungRy)) {
            v = LUNG_HU;
          }
          if (nodule && inEllipse(px - nx, py - ny, nr, nr)) {
            v = noduleHu;
          }
        }
        v += offset + noise * gaussian(rnd);
        hu[y * size + x] = Math.max(INTERCEPT, Math.min(32767 + INTERCEPT, Math.rint(v)));
      }
    }
    return hu;
  }

  private static boolean inEllipse(double dx, double dy, double rx, double ry) {
    return dx * dx / (rx * rx) + dy * dy / (ry * ry) <= 1;
  }

  /** A standard normal draw (Box-Muller); SplittableRandom has no nextGaussian. */
  private static double gaussian(SplittableRandom rnd) {
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  private static void write(Path file, double[] hu, int size, String patient, String study, String series,
      int number) throws IOException {
    ByteBuffer pixels = ByteBuffer.allocate(hu.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : hu) {
      pixels.putShort((short) (v - INTERCEPT));
    }
    new DicomWriter()
        .sop(CT_IMAGE_STORAGE, DicomWriter.uid(series + "/" + number))
        .text(0x00080060, "CS", "CT")
        .text(0x0008103E, "LO", MARK)
        .text(0x00100010, "PN", "SYNTHETIC^PHANTOM")
        .text(0x00100020, "LO", patient)
        .text(0x0020000D, "UI", study)
        .text(0x0020000E, "UI", series)
        .text(0x00200013, "IS", Integer.toString(number))
        .text(0x00204000, "LT", MARK + " - not patient data")
        .us(0x00280002, 1)
        .text(0x00280004, "CS", "MONOCHROME2")
        .us(0x00280010, size)
        .us(0x00280011, size)
        .us(0x00280100, 16)
        .us(0x00280101, 16)
        .us(0x00280102, 15)
        .us(0x00280103, 1)
        .text(0x00281050, "DS", "-600")
        .text(0x00281051, "DS", "1500")
        .text(0x00281052, "DS", Integer.toString(INTERCEPT))
        .text(0x00281053, "DS", "1")
        .text(0x00281054, "LO", "HU")
        .pixels(pixels.array(), true)
        .write(file);
  }
}
