package org.medfl.client.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A CSV file of {@code path,label[,patient_id]} lines, for sites whose images are not sorted into one folder per
 * label. The header line is optional; blank lines and lines starting with '#' are ignored; fields are trimmed
 * and may not contain commas (no quoting). Paths are relative to the manifest's folder, and a path that leads
 * outside that folder, by "..", by an absolute path or through a symbolic link, is refused, as is anything
 * {@link DataFolder#refusal} refuses (FIFOs, folders, empty or unreadable files): a manifest must not make the site
 * agent read files it was not given.
 *
 * @param entries the lines that name a file, in file order, refused ones included (see {@link Entry#refusal()})
 * @param problems one line per malformed line, e.g. "manifest.csv line 7: path and label must not be empty"
 */
public record LabelManifest(List<Entry> entries, List<String> problems) {

  /** Usual name of a manifest inside a data folder. */
  public static final String FILE_NAME = "manifest.csv";

  /**
   * One labelled file.
   *
   * @param file absolute and normalised; inside the manifest's folder unless refused
   * @param label as written
   * @param patientId as written, or null when the line has none
   * @param refusal null when the file may be read, else the one-line problem for the report, e.g.
   *     "manifest.csv line 7: '../x.dcm' leads outside /data; give paths inside the manifest's folder"
   */
  public record Entry(Path file, String label, String patientId, String refusal) {}

  public LabelManifest {
    entries = List.copyOf(entries);
    problems = List.copyOf(problems);
  }

  /**
   * Reads {@code manifest}; opens none of the files it names.
   *
   * @throws DataException if the manifest itself cannot be read, or must not be (see {@link #checkReadable})
   */
  public static LabelManifest read(Path manifest) {
    Path csv = manifest.toAbsolutePath().normalize();
    Path root = csv.getParent();
    var folder = new DataFolder(root);
    checkReadable(folder, csv);
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new DataException("cannot read the manifest " + csv + ": " + e.getMessage(), e);
    }
    var entries = new ArrayList<Entry>();
    var problems = new ArrayList<String>();
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
      String refusal = null;
      if (Path.of(path).isAbsolute() || !file.startsWith(root)) {
        refusal = where + "'" + path + "' leads outside " + root + "; give paths inside the manifest's folder";
      } else {
        String why = folder.refusal(file);
        if (why != null) {
          refusal = where + "'" + path + "': " + why;
        }
      }
      entries.add(new Entry(file, label, patient, refusal));
    }
    return new LabelManifest(entries, problems);
  }

  /**
   * Refuses a manifest that is not a readable regular file in its own folder: one named manifest.csv inside a data
   * folder may be a link out of it, or a FIFO that would block the site agent for ever.
   */
  private static void checkReadable(DataFolder folder, Path csv) {
    String why = folder.refusal(csv);
    if (why != null && !why.equals("empty file (0 bytes)")) {
      throw new DataException("the manifest " + csv + " cannot be used: " + why + "; give a regular file of "
          + "path,label[,patient_id] lines inside the data folder");
    }
  }
}
