package org.medfl.client.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What loading a site's data found, for the operator: how many images were used and why others were not.
 *
 * @param loaded images decoded and used
 * @param skipped files under class folders (or in the manifest) that could not be used: never opened (a link out of
 *     the data folder, a FIFO, a folder, empty, unreadable; see {@link DataFolder}), or opened and refused (corrupt,
 *     truncated, not the format its name says, above the pixel limit)
 * @param perClass images used per class, in the job's class order, zero included
 * @param problems one line per skipped file or ignored folder, e.g. "circle/x-ray-17.png: not a readable image"
 */
public record LoadReport(int loaded, int skipped, Map<String, Integer> perClass, List<String> problems) {

  public LoadReport {
    perClass = Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
    problems = List.copyOf(problems);
  }
}
