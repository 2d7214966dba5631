package org.medfl.client.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a partition drawn elsewhere, so that a federation can run on exactly the split another tool made (for
 * example the draw a published benchmark used): one line per site, holding that site's example indices (0-based,
 * in the data set's own order) separated by commas or spaces. Blank lines and lines starting with {@code #} are
 * skipped.
 */
final class PartitionFile {
  private PartitionFile() {}

  /**
   * The indices each site gets, checked against the data set.
   *
   * @param spec the whole {@code --partition} value, for error messages
   * @throws IllegalArgumentException naming {@code --partition} when the file cannot be read, lists another number of
   *     sites, holds something other than an index of the data set, or gives one example to two sites
   */
  static List<int[]> read(Path file, int examples, int sites, String spec) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("--partition " + spec + ": cannot read the file: " + e.getMessage(), e);
    }
    int[] owner = new int[examples];
    Arrays.fill(owner, -1);
    List<int[]> parts = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int site = parts.size();
      if (site == sites) {
        throw new IllegalArgumentException("--partition " + spec + ": line " + (n + 1) + " would be site "
            + (site + 1) + ", but the federation has " + sites + " sites");
      }
      int[] part = parseIndices(line, n + 1, spec);
      for (int index : part) {
        if (index < 0 || index >= examples) {
          throw new IllegalArgumentException("--partition " + spec + ": line " + (n + 1) + ": index " + index
              + " is outside the data set's " + examples + " examples (0 to " + (examples - 1) + ")");
        }
        if (owner[index] >= 0) {
          throw new IllegalArgumentException("--partition " + spec + ": example " + index + " is given to site "
              + (owner[index] + 1) + " and again to site " + (site + 1) + " (line " + (n + 1) + ")");
        }
        owner[index] = site;
      }
      Arrays.sort(part);
      parts.add(part);
    }
    if (parts.size() != sites) {
      throw new IllegalArgumentException("--partition " + spec + ": the file lists " + parts.size()
          + " sites, but the federation has " + sites);
    }
    return parts;
  }

  private static int[] parseIndices(String line, int lineNumber, String spec) {
    String[] tokens = line.split("[,\\s]+");
    int[] indices = new int[tokens.length];
    for (int t = 0; t < tokens.length; t++) {
      try {
        indices[t] = Integer.parseInt(tokens[t]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--partition " + spec + ": line " + lineNumber + ": '" + tokens[t]
            + "' is not an example index");
      }
    }
    return indices;
  }
}
