package org.medfl.client.data;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.medfl.common.job.PreprocessingSpec;
import org.medfl.common.job.WindowSpec;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a site's DICOM files into {@link LabeledImages}, labelled either by a CSV manifest ({@link LabelManifest};
 * used when {@code data} is a .csv file or holds {@value LabelManifest#FILE_NAME}) or by one folder per class,
 * searched recursively since exports nest patient/study/series folders. Files are read in sorted order, so the
 * same data always gives the same tensor. Each frame is mapped to [0, 1] by {@link DicomUnitScale}, then resized
 * and normalised as the job's preprocessing says (the same {@code Preprocessor} as PNG/JPEG). A file that cannot be used is reported and skipped; only data with nothing usable is an error.
 *
 * <p>The patient of an image is the manifest's patient_id, else the file's Patient ID (0010,0020), else the
 * {@code <patient>_<anything>} file-name convention of {@link ImageFolderSource}.
 */
public final class DicomSource {

  private DicomSource() {}

  /**
   * Loads the DICOM images under {@code data}, decoding at most {@link SiteData#DEFAULT_MAX_PIXELS} per file.
   *
   * @see #load(Path, List, int, int, int, String, PreprocessingSpec, long)
   */
  public static ImageFolderSource.Loaded load(Path data, List<String> classes, int width, int height, int channels,
      String frames, PreprocessingSpec preprocessing) {
    return load(data, classes, width, height, channels, frames, preprocessing, SiteData.DEFAULT_MAX_PIXELS);
  }

  /**
   * Loads the DICOM images under {@code data}.
   *
   * @param data a data folder, or a manifest .csv file
   * @param classes the job's labels
   * @param channels 1 (gray; RGB is converted to luminance) or 3 (RGB; gray is repeated)
   * @param frames {@link DicomReader#MIDDLE} (one image per file) or {@link DicomReader#ALL} (one per frame)
   * @param preprocessing the job's preprocessing: its window (or each frame's min-max when it has none; see
   *     {@link DicomUnitScale}), then its resize and normalisation, as for PNG/JPEG
   * @param maxPixels files whose decoded frames would hold more pixels are skipped (see {@link DicomReader})
   * @throws DataException if {@code data} does not exist or holds no usable image of the job's classes
   */
  public static ImageFolderSource.Loaded load(Path data, List<String> classes, int width, int height, int channels,
      String frames, PreprocessingSpec preprocessing, long maxPixels) {
    WindowSpec window = preprocessing.window();
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    Path path = data.toAbsolutePath().normalize();
    var problems = new ArrayList<String>();
    List<LabeledFile> files = listFiles(path, problems);
    var reader = new DicomReader(maxPixels);
    var features = new ArrayList<float[]>();
    var labels = new ArrayList<Integer>();
    var patients = new ArrayList<String>();
    var perClass = new LinkedHashMap<String, Integer>();
    classes.forEach(c -> perClass.put(c, 0));
    int skipped = 0;
    var unknownLabels = new LinkedHashMap<String, Integer>();
    for (LabeledFile f : files) {
      if (f.refusal() != null) {
        skipped++;
        problems.add(f.refusal());
        continue;
      }
      int label = classes.indexOf(f.label());
      if (label < 0) {
        unknownLabels.merge(f.label(), 1, Integer::sum);
        continue;
      }
      DicomResult result = reader.read(f.file(), frames);
      if (result instanceof DicomSkip skip) {
        skipped++;
        problems.add(path.relativize(f.file()) + ": " + skip.reason());
        continue;
      }
      DicomImage image = (DicomImage) result;
      String patient = f.patientId() != null ? f.patientId()
          : image.patientId() != null ? image.patientId() : ImageFolderSource.patientId(f.file());
      for (int k = 0; k < image.frames().size(); k++) {
        features.add(ImagePixels.fit(planes(image, DicomUnitScale.toUnit(image, k, window)), image.columns(),
            image.rows(), width, height, channels, preprocessing));
        labels.add(label);
        patients.add(patient);
        perClass.merge(f.label(), 1, Integer::sum);
      }
    }
    unknownLabels.forEach((name, count) -> problems.add("label '" + name + "' is not one of the job's classes "
        + classes + "; its " + count + " files were ignored"));
    if (features.isEmpty()) {
      throw new DataException(path + " holds no usable DICOM image of the job's classes " + classes
          + "; expected " + path + "/<class>/**/*.dcm or a " + LabelManifest.FILE_NAME + " of path,label[,patient_id]"
          + (problems.isEmpty() ? "" : "; first problem: " + problems.get(0)));
    }
    int pixels = channels * width * height;
    float[] flat = new float[features.size() * pixels];
    for (int i = 0; i < features.size(); i++) {
      System.arraycopy(features.get(i), 0, flat, i * pixels, pixels);
    }
    var tensor = Nd4j.create(flat, new long[] {features.size(), channels, height, width}, 'c');
    var images = new LabeledImages(tensor, labels.stream().mapToInt(Integer::intValue).toArray(), classes, patients);
    return new ImageFolderSource.Loaded(images, new LoadReport(features.size(), skipped, perClass, problems));
  }

  /**
   * A file and its label (and patient, when a manifest gives one).
   *
   * @param refusal null when the file may be opened; else the one-line problem that keeps it closed, ready to report
   *     (see {@link DataFolder#refusal})
   */
  record LabeledFile(Path file, String label, String patientId, String refusal) {}

  /** The DICOM files under {@code data}, as {@link #listFiles(Path, List, boolean)} without plain images. */
  static List<LabeledFile> listFiles(Path data, List<String> problems) {
    return listFiles(data, problems, false);
  }

  /**
   * The labelled files under {@code data}: from its manifest if it has one, else every file that is DICOM Part 10
   * or named *.dcm under each sub-folder, the sub-folder's name being the label. Files {@link DataFolder} refuses
   * are listed with their refusal, whatever their name, and never opened; only the others are opened, to look for
   * the DICM prefix.
   *
   * @param plainImages also list *.png, *.jpg and *.jpeg files (for {@link DataInspector}); then other files are
   *     not reported as ignored
   * @param problems gets folders that cannot be read, links out of the data folder, and counts of ignored files
   */
  static List<LabeledFile> listFiles(Path data, List<String> problems, boolean plainImages) {
    Path manifest = Files.isRegularFile(data) ? data : data.resolve(LabelManifest.FILE_NAME);
    if (Files.exists(manifest, LinkOption.NOFOLLOW_LINKS)) {
      LabelManifest m = LabelManifest.read(manifest);
      problems.addAll(m.problems());
      return m.entries().stream().map(e -> new LabeledFile(e.file(), e.label(), e.patientId(), e.refusal())).toList();
    }
    if (!Files.isDirectory(data)) {
      throw new DataException(data + " does not exist or is not a directory; expected " + data
          + "/<class>/**/*.dcm or a " + LabelManifest.FILE_NAME);
    }
    var folder = new DataFolder(data);
    var files = new ArrayList<LabeledFile>();
    for (Path labelFolder : folder.listRoot()) {
      if (!DataFolder.isFolder(labelFolder)) {
        if (Files.isSymbolicLink(labelFolder) && Files.isDirectory(labelFolder)) {
          String why = folder.folderRefusal(labelFolder);
          problems.add("folder '" + labelFolder.getFileName() + "' " + (why == null
              ? "is a symbolic link; links to folders are not followed, so its files were not read" : why));
        }
        continue;
      }
      String label = labelFolder.getFileName().toString();
      int ignored = 0;
      for (Path file : folder.walk(labelFolder, problems)) {
        String refusal = folder.refusal(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (refusal != null) {
          files.add(new LabeledFile(file, label, null, folder.name(file) + ": " + refusal));
        } else if (name.endsWith(".dcm") || plainImages && isPlainImage(name) || DicomFileMeta.hasPart10Prefix(file)) {
          files.add(new LabeledFile(file, label, null, null));
        } else {
          ignored++;
        }
      }
      if (ignored > 0 && !plainImages) {
        problems.add("folder '" + label + "' holds " + ignored + " files that are not DICOM; they were ignored");
      }
    }
    return files;
  }

  /** Whether a lower-case file name says PNG or JPEG. */
  static boolean isPlainImage(String lowerCaseName) {
    return lowerCaseName.endsWith(".png") || lowerCaseName.endsWith(".jpg") || lowerCaseName.endsWith(".jpeg");
  }

  /** Gray frames as one plane; RGB frames (samples side by side) as three. */
  private static float[][] planes(DicomImage image, float[] unit) {
    if (image.samplesPerPixel() == 1) {
      return new float[][] {unit};
    }
    int n = image.rows() * image.columns();
    float[][] rgb = new float[3][n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        rgb[c][i] = unit[3 * i + c];
      }
    }
    return rgb;
  }
}
