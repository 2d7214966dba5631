package org.medfl.client.data;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.medfl.client.preprocess.Preprocessor;
import org.medfl.common.job.PreprocessingSpec;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a site's images from {@code DATA/<label>/*.png|*.jpg|*.jpeg}, one folder per job class.
 * Files are read in sorted order, so the same folder always gives the same tensor. A bad file or a stray
 * folder is reported and skipped; only a directory with nothing usable at all is an error. Only files that
 * {@link DataFolder} admits are opened: no link out of the data folder, FIFO, device, empty or unreadable file.
 */
public final class ImageFolderSource {

  /** The images and what loading them found. */
  public record Loaded(LabeledImages images, LoadReport report) {}

  private ImageFolderSource() {}

  /**
   * Loads every image under the class folders of {@code dataDir} with the default preprocessing
   * ({@link PreprocessingSpec#defaults()}: aspect kept by padding, values in [0, 1]).
   *
   * @param classes the job's labels; folder names must match them exactly
   * @param channels 1 (luminance) or 3 (RGB), whatever the files hold
   * @throws DataException if {@code dataDir} is missing or holds no usable image under a class folder
   */
  public static Loaded load(Path dataDir, List<String> classes, int width, int height, int channels) {
    return load(dataDir, classes, width, height, channels, PreprocessingSpec.defaults());
  }

  /**
   * Loads every image under the class folders of {@code dataDir}, preprocessed to {@code width x height} as the
   * job says (see {@link Preprocessor}).
   *
   * @param classes the job's labels; folder names must match them exactly
   * @param channels 1 (luminance) or 3 (RGB), whatever the files hold
   * @param preprocessing the job's resize and normalisation; a window applies to PNG/JPEG samples too
   * @throws DataException if {@code dataDir} is missing or holds no usable image under a class folder
   */
  public static Loaded load(Path dataDir, List<String> classes, int width, int height, int channels,
      PreprocessingSpec preprocessing) {
    return load(dataDir, classes, width, height, channels, preprocessing, SiteData.DEFAULT_MAX_PIXELS);
  }

  /**
   * Loads every image under the class folders of {@code dataDir}, as {@link #load(Path, List, int, int, int,
   * PreprocessingSpec)} does, skipping images whose header claims more than {@code maxPixels} pixels.
   *
   * @param maxPixels the largest width x height decoded; larger images are skipped before decoding
   */
  public static Loaded load(Path dataDir, List<String> classes, int width, int height, int channels,
      PreprocessingSpec preprocessing, long maxPixels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    var preprocessor = new Preprocessor(preprocessing, width, height, channels);
    Path dir = dataDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir + " does not exist or is not a directory; expected " + expected(dir));
    }
    var folder = new DataFolder(dir);
    var problems = new ArrayList<String>();
    List<Path> entries = folder.listRoot();
    reportStrays(folder, entries, classes, problems);

    int pixels = channels * width * height;
    var features = new ArrayList<float[]>();
    var labels = new ArrayList<Integer>();
    var patients = new ArrayList<String>();
    var perClass = new LinkedHashMap<String, Integer>();
    int skipped = 0;
    var missing = new ArrayList<String>();
    for (int label = 0; label < classes.size(); label++) {
      String name = classes.get(label);
      Path classFolder = dir.resolve(name);
      perClass.put(name, 0);
      if (!Files.isDirectory(classFolder)) {
        missing.add(name);
        continue;
      }
      String folderRefusal = folder.folderRefusal(classFolder);
      if (folderRefusal != null) {
        problems.add("folder '" + name + "' " + folderRefusal);
        continue;
      }
      int otherFiles = 0;
      for (Path file : folder.list(classFolder, problems)) {
        if (!hasImageName(file)) {
          otherFiles += Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? 1 : 0;
          continue;
        }
        String refusal = folder.refusal(file);
        if (refusal != null) {
          skipped++;
          problems.add(name + "/" + file.getFileName() + ": " + refusal);
          continue;
        }
        try {
          float[] pixelsOf = preprocessor.apply(ImagePixels.read(file, maxPixels));
          features.add(pixelsOf);
          labels.add(label);
          patients.add(patientId(file));
          perClass.merge(name, 1, Integer::sum);
        } catch (ImagePixels.UnreadableImageException e) {
          skipped++;
          problems.add(name + "/" + file.getFileName() + ": " + e.getMessage());
        }
      }
      if (otherFiles > 0) {
        problems.add("folder '" + name + "' holds " + otherFiles + " files that are not .png, .jpg or .jpeg; "
            + "they were ignored");
      }
    }
    if (!missing.isEmpty()) {
      // One line for all of them: a non-IID site may lack most classes, and one warning each buries the rest.
      problems.add("no folder for " + (missing.size() == 1 ? "class " : missing.size() + " classes: ")
          + String.join(", ", missing.stream().map(c -> "'" + c + "'").toList()) + "; expected " + dir + "/<class>/");
    }
    if (features.isEmpty()) {
      throw new DataException(dir + " holds no images under folders named after the job's classes " + classes
          + "; expected " + expected(dir));
    }

    float[] flat = new float[features.size() * pixels];
    for (int i = 0; i < features.size(); i++) {
      System.arraycopy(features.get(i), 0, flat, i * pixels, pixels);
    }
    var tensor = Nd4j.create(flat, new long[] {features.size(), channels, height, width}, 'c');
    var images = new LabeledImages(tensor, labels.stream().mapToInt(Integer::intValue).toArray(), classes, patients);
    return new Loaded(images, new LoadReport(features.size(), skipped, perClass, problems));
  }

  /**
   * The patient a file belongs to, by the convention {@code <patient>_<anything>.png} (e.g. "p0042_xray-3.png"
   * is patient "p0042"); null when the name has no underscore.
   */
  static String patientId(Path file) {
    String name = file.getFileName().toString();
    int underscore = name.indexOf('_');
    return underscore > 0 ? name.substring(0, underscore) : null;
  }

  private static void reportStrays(DataFolder folder, List<Path> entries, List<String> classes,
      List<String> problems) {
    int loose = 0;
    for (Path entry : entries) {
      String name = entry.getFileName().toString();
      if (Files.isDirectory(entry) && !classes.contains(name)) {
        // A link out of the data folder is named, but its target is not even listed.
        String refusal = folder.folderRefusal(entry);
        if (refusal != null) {
          problems.add("folder '" + name + "' is not one of the job's classes: " + classes + ", and " + refusal);
          continue;
        }
        long images = folder.list(entry, problems).stream().filter(ImageFolderSource::hasImageName).count();
        problems.add("folder '" + name + "' is not one of the job's classes: " + classes + "; its " + images
            + " images were ignored");
      } else if (hasImageName(entry)) {
        loose++;
      }
    }
    if (loose > 0) {
      problems.add(loose + " images lie directly in " + folder.root() + " and were ignored; put them in "
          + expected(folder.root()));
    }
  }

  /** Whether the name says PNG or JPEG; the file itself is not looked at. */
  private static boolean hasImageName(Path file) {
    return DicomSource.isPlainImage(file.getFileName().toString().toLowerCase(Locale.ROOT));
  }

  private static String expected(Path dir) {
    return dir + "/<class>/*.png";
  }
}
