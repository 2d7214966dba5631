package org.medfl.client.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.medfl.common.job.JobSpec;

/**
 * Loads a site's data for a job with the reader its folder calls for: {@link DicomSource} when the folder holds a
 * {@value LabelManifest#FILE_NAME} or DICOM files, else {@link ImageFolderSource}. A site reads one kind of file per
 * job; files of the other kind under the class folders are counted and reported as a problem, never mixed in.
 */
public final class SiteData {

  /** Which reader a data folder gets. */
  public enum Kind {
    /** {@link DicomSource}: a manifest, or DICOM files in the first class folder found. */
    DICOM,
    /** {@link ImageFolderSource}: PNG/JPEG class folders. */
    IMAGES
  }

  /**
   * Largest image, in pixels (width x height, times the frames decoded for DICOM), that a site decodes unless told
   * otherwise: 50 megapixels, above any radiograph or mammogram (about 14) and far below what a few kilobytes of
   * hostile PNG can claim. The site's own setting ({@code fl site start --max-pixels}), never a job's, because it
   * protects the site's memory.
   */
  public static final long DEFAULT_MAX_PIXELS = 50_000_000L;

  private SiteData() {}

  /**
   * Loads {@code dataDir} as {@code spec} asks, with {@link #DEFAULT_MAX_PIXELS}.
   *
   * @see #load(Path, JobSpec, long)
   */
  public static ImageFolderSource.Loaded load(Path dataDir, JobSpec spec) {
    return load(dataDir, spec, DEFAULT_MAX_PIXELS);
  }

  /**
   * Loads {@code dataDir} as {@code spec} asks: DICOM with the job's {@code frames} and {@code preprocessing.window},
   * PNG/JPEG with the job's whole {@code preprocessing}, both to the model's input shape. Hostile or broken files
   * (links out of the folder, FIFOs, folders named like images, empty, unreadable, truncated, wrong content, too
   * large) are skipped and counted, each with a one-line reason in the report.
   *
   * @param dataDir the site's data folder, or a manifest .csv file
   * @param maxPixels images larger than this, read from their headers, are skipped without being decoded
   * @throws DataException if the data is missing or holds nothing usable for the job
   */
  public static ImageFolderSource.Loaded load(Path dataDir, JobSpec spec, long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be at least 1, got " + maxPixels);
    }
    int width = spec.model().width();
    int height = spec.model().height();
    int channels = spec.model().channels();
    if (kindOf(dataDir, spec.classes()) == Kind.IMAGES) {
      var loaded = ImageFolderSource.load(dataDir, spec.classes(), width, height, channels, spec.preprocessing(),
          maxPixels);
      int dicom = countUnderClassFolders(dataDir, spec.classes(), Kind.DICOM);
      return dicom == 0 ? loaded : withProblem(loaded, dicom + " DICOM files under the class folders were not used: "
          + "this site's first class folder holds PNG/JPEG images, and a site reads one kind of file per job; "
          + "convert them to PNG or move the PNG/JPEG images out");
    }
    var loaded = DicomSource.load(dataDir, spec.classes(), width, height, channels, spec.frames(),
        spec.preprocessing(), maxPixels);
    int images = Files.isDirectory(dataDir) ? countUnderClassFolders(dataDir, spec.classes(), Kind.IMAGES) : 0;
    return images == 0 ? loaded : withProblem(loaded, images + " PNG/JPEG images under the class folders were not "
        + "used: this site holds DICOM, and a site reads one kind of file per job; move them out or list DICOM only");
  }

  /**
   * DICOM when {@code data} is a .csv manifest or holds {@value LabelManifest#FILE_NAME}, or when the first class
   * folder that exists (the job's classes in order, else the first sub-folder by name) holds a file named *.dcm or
   * starting with the DICM prefix at any depth; PNG/JPEG otherwise.
   */
  public static Kind kindOf(Path data, List<String> classes) {
    // Any entry named manifest.csv, a link or a FIFO included, makes it DICOM: LabelManifest then refuses it by name.
    if (Files.isRegularFile(data) || Files.exists(data.resolve(LabelManifest.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
      return Kind.DICOM;
    }
    if (!Files.isDirectory(data)) {
      return Kind.IMAGES;
    }
    Path first = firstLabelFolder(data, classes);
    if (first == null) {
      return Kind.IMAGES;
    }
    // Plain images are recognised by name, so only the other files are opened to look for the DICM prefix.
    var folder = new DataFolder(data);
    return walk(folder, first).stream().anyMatch(f -> !isPlainImage(f) && isDicom(folder, f)) ? Kind.DICOM
        : Kind.IMAGES;
  }

  private static Path firstLabelFolder(Path data, List<String> classes) {
    for (String label : classes) {
      Path folder = data.resolve(label);
      if (Files.isDirectory(folder)) {
        return folder;
      }
    }
    try (Stream<Path> s = Files.list(data)) {
      return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
          .findFirst().orElse(null);
    } catch (IOException e) {
      throw new DataException("cannot list " + data + ": " + e.getMessage(), e);
    }
  }

  /** Files of {@code kind} in the job's class folders, at any depth. */
  private static int countUnderClassFolders(Path data, List<String> classes, Kind kind) {
    var dataFolder = new DataFolder(data);
    int count = 0;
    for (String label : classes) {
      Path folder = data.resolve(label);
      if (DataFolder.isFolder(folder)) {
        for (Path file : walk(dataFolder, folder)) {
          boolean image = isPlainImage(file);
          count += (kind == Kind.IMAGES ? image : !image && isDicom(dataFolder, file)) ? 1 : 0;
        }
      }
    }
    return count;
  }

  private static ImageFolderSource.Loaded withProblem(ImageFolderSource.Loaded loaded, String problem) {
    LoadReport r = loaded.report();
    var problems = new ArrayList<>(r.problems());
    problems.add(problem);
    return new ImageFolderSource.Loaded(loaded.images(), new LoadReport(r.loaded(), r.skipped(), r.perClass(),
        problems));
  }

  /** By name, or by the DICM prefix of a file {@link DataFolder} lets us open. */
  private static boolean isDicom(DataFolder folder, Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm")
        || folder.refusal(file) == null && DicomFileMeta.hasPart10Prefix(file);
  }

  private static boolean isPlainImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  /** Non-hidden entries under {@code dir}, sorted; links to folders are not followed, as {@link DicomSource} does. */
  private static List<Path> walk(DataFolder folder, Path dir) {
    return folder.walk(dir, new ArrayList<>());
  }
}
