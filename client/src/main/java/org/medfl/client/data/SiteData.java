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

  private SiteData() {}

  /**
   * Loads {@code dataDir} as {@code spec} asks: DICOM with the job's {@code frames} and {@code preprocessing.window},
   * PNG/JPEG with the job's whole {@code preprocessing}, both to the model's input shape.
   *
   * @param dataDir the site's data folder, or a manifest .csv file
   * @throws DataException if the data is missing or holds nothing usable for the job
   */
  public static ImageFolderSource.Loaded load(Path dataDir, JobSpec spec) {
    int width = spec.model().width();
    int height = spec.model().height();
    int channels = spec.model().channels();
    if (kindOf(dataDir, spec.classes()) == Kind.IMAGES) {
      var loaded = ImageFolderSource.load(dataDir, spec.classes(), width, height, channels, spec.preprocessing());
      int dicom = countUnderClassFolders(dataDir, spec.classes(), Kind.DICOM);
      return dicom == 0 ? loaded : withProblem(loaded, dicom + " DICOM files under the class folders were not used: "
          + "this site's first class folder holds PNG/JPEG images, and a site reads one kind of file per job; "
          + "convert them to PNG or move the PNG/JPEG images out");
    }
    var loaded = DicomSource.load(dataDir, spec.classes(), width, height, channels, spec.frames(),
        spec.preprocessing().window());
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
    if (Files.isRegularFile(data) || Files.isRegularFile(data.resolve(LabelManifest.FILE_NAME))) {
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
    return walk(first).stream().anyMatch(f -> !isPlainImage(f) && isDicom(f)) ? Kind.DICOM : Kind.IMAGES;
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
    int count = 0;
    for (String label : classes) {
      Path folder = data.resolve(label);
      if (Files.isDirectory(folder)) {
        for (Path file : walk(folder)) {
          boolean image = isPlainImage(file);
          count += (kind == Kind.IMAGES ? image : !image && isDicom(file)) ? 1 : 0;
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

  private static boolean isDicom(Path file) {
    return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm")
        || DicomFileMeta.hasPart10Prefix(file);
  }

  private static boolean isPlainImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
  }

  /** Regular, non-hidden files under {@code dir}, sorted; links are not followed, as {@link DicomSource} does. */
  private static List<Path> walk(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted().toList();
    } catch (IOException e) {
      throw new DataException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
