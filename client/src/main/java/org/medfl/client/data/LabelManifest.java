package org.medfl.client.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A CSV file of {@code path,label[,patient_id]} lines, for sites whose images are not sorted into one folder per
 * label. The header line is optional; blank lines and lines starting with '#' are ignored; fields are trimmed
 * and may not contain commas (no quoting). Paths are relative to the manifest's folder, and a path that leads
 * outside that folder, by "..", by an absolute path or through a symbolic link, is refused: a manifest must not
 * make the site agent read files it was not given.
 *
 * @param entries the usable lines, in file order
 * @param problems one line per refused line, e.g. "manifest.csv line 7: path '../x.dcm' leads outside /data"
 */
public record LabelManifest(List<Entry> entries, List<String> problems) {

  /** Usual name of a manifest inside a data folder. */
  public static final String FILE_NAME = "manifest.csv";

  /**
   * One labelled file.
   *
   * @param file absolute, normalised, inside the manifest's folder
   * @param label as written
   * @param patientId as written, or null when the line has none
   */
  public record Entry(Path file, String label, String patientId) {}

  public LabelManifest {
    entries = List.copyOf(entries);
    problems = List.copyOf(problems);
  }

  /**
   * Reads {@code manifest}.
   *
   * @throws DataException if the manifest itself cannot be read
   */
  public static LabelManifest read(Path manifest) {
    Path csv = manifest.toAbsolutePath().normalize();
    Path root = csv.getParent();
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new DataException("cannot read the manifest " + csv + ": " + e.getMessage(), e);
    }
    var entries = new ArrayList<Entry>();
    var problems = new ArrayList<String>();
    Path realRoot = realPath(root);
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      String where = csv.getFileName() + " line " + (n + 1) + ": ";
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split(",", -1);
      if (n == 0 && fields.length >= 2 && fields[0].strip().toLowerCase(Locale.ROOT).equals("path")
          && fields[1].strip().toLowerCase(Locale.ROOT).equals("label")) {
        continue;
      }
      if (fields.length < 2 || fields.length > 3) {
        problems.add(where + "expected 'path,label' or 'path,label,patient_id', got " + fields.length + " fields");
        continue;
      }
      String path = fields[0].strip();
      String label = fields[1].strip();
      String patient = fields.length == 3 && !fields[2].isBlank() ? fields[2].strip() : null;
      if (path.isEmpty() || label.isEmpty()) {
        problems.add(where + "path and label must not be empty");
        continue;
      }
      Path file = root.resolve(path).normalize();
      if (Path.of(path).isAbsolute() || !file.startsWith(root) || !insideReal(file, realRoot)) {
        problems.add(where + "path '" + path + "' leads outside " + root + "; give paths inside the manifest's folder");
        continue;
      }
      if (!Files.isRegularFile(file)) {
        problems.add(where + "no file " + path);
        continue;
      }
      entries.add(new Entry(file, label, patient));
    }
    return new LabelManifest(entries, problems);
  }

  /** Whether the file, with symbolic links resolved, still lies under the real data folder. */
  private static boolean insideReal(Path file, Path realRoot) {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return true; // reported as a missing file instead
    }
    Path real = realPath(file);
    return real != null && realRoot != null && real.startsWith(realRoot);
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return null;
    }
  }
}
