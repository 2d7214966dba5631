package org.medfl.client.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.medfl.common.job.JobSpec;

/**
 * Looks through a site's data folder without training, for hospital IT before a site joins a job: images per
 * label, patients, modalities and sizes, unreadable files with their reasons, exact duplicates (same decoded
 * pixels), and, given a job, whether the data fits its classes, channels and input size. Reads DICOM (folders or
 * a {@value LabelManifest#FILE_NAME}) and the PNG/JPEG folders {@link ImageFolderSource} reads, and refuses what
 * they refuse, with the same reasons: links out of the folder, FIFOs, empty, unreadable, truncated or too large files
 * are listed as unreadable, never opened when {@link DataFolder} says so.
 */
public final class DataInspector {

  /** Told after each file; for a progress bar. */
  @FunctionalInterface
  public interface Progress {
    /** {@code done} of {@code total} files inspected. */
    void update(int done, int total);
  }

  /**
   * What the inspection found.
   *
   * @param files files looked at (DICOM, PNG and JPEG under label folders or in the manifest)
   * @param imagesPerLabel readable images (frames, for DICOM with frames: all) per label, sorted by label
   * @param patients distinct patient ids; images without one count as their own patient
   * @param modalities images per DICOM Modality ("PNG"/"JPEG" for plain images, "?" when absent)
   * @param sizes images per "rows x columns x samples"
   * @param unreadable one line per file that cannot be used: "label/file: reason"
   * @param unreadableByReason the same, grouped: each reason to its files, most files first (no files for problems
   *     of a folder or the manifest rather than of a file)
   * @param duplicates groups of files with identical decoded pixels, each group sorted
   * @param jobProblems where the data does not fit the job; empty without a job or when it fits
   * @param usable whether at least one image can be used (of the job's classes, given a job)
   */
  public record Report(int files, Map<String, Integer> imagesPerLabel, int patients, Map<String, Integer> modalities,
      Map<String, Integer> sizes, List<String> unreadable, Map<String, List<String>> unreadableByReason,
      List<List<String>> duplicates, List<String> jobProblems, boolean usable) {

    /** How many files of one reason the text report names before "and N more". */
    public static final int EXAMPLES = 3;

    /** The report as the lines {@code fl data inspect} prints, unreadable files grouped by reason. */
    public String toText() {
      return toText(false);
    }

    /**
     * The report as the lines {@code fl data inspect} prints.
     *
     * @param everyUnreadableFile one line per unreadable file, instead of one per reason with a few of its files (an
     *     export of thousands of JPEG 2000 files is one reason, not thousands of lines)
     */
    public String toText(boolean everyUnreadableFile) {
      var s = new StringBuilder();
      s.append(String.format("files: %d, readable images: %d, patients: %d%n", files,
          imagesPerLabel.values().stream().mapToInt(Integer::intValue).sum(), patients));
      s.append("images per label: ").append(join(imagesPerLabel)).append('\n');
      s.append("modalities: ").append(join(modalities)).append('\n');
      s.append("sizes (rows x columns x samples): ").append(join(sizes)).append('\n');
      s.append("unreadable: ").append(unreadable.size()).append('\n');
      if (everyUnreadableFile) {
        unreadable.forEach(u -> s.append("  ").append(u).append('\n'));
      } else {
        unreadableByReason.forEach((reason, files) -> appendReason(s, reason, files));
      }
      s.append("exact duplicates: ").append(duplicates.size()).append(" groups\n");
      duplicates.forEach(d -> s.append("  ").append(String.join(" = ", d)).append('\n'));
      if (!jobProblems.isEmpty()) {
        s.append("does not fit the job:\n");
        jobProblems.forEach(p -> s.append("  ").append(p).append('\n'));
      }
      s.append(usable ? "usable: yes" : "usable: no").append('\n');
      return s.toString();
    }

    private static void appendReason(StringBuilder s, String reason, List<String> files) {
      if (files.size() <= 1) {
        s.append("  ").append(files.isEmpty() ? "" : files.get(0) + ": ").append(reason).append('\n');
        return;
      }
      s.append("  ").append(files.size()).append(" files: ").append(reason).append('\n');
      s.append("    ").append(String.join(", ", files.subList(0, Math.min(EXAMPLES, files.size()))));
      if (files.size() > EXAMPLES) {
        s.append(" and ").append(files.size() - EXAMPLES).append(" more (--list-unreadable names them all)");
      }
      s.append('\n');
    }

    private static String join(Map<String, Integer> counts) {
      if (counts.isEmpty()) {
        return "none";
      }
      var parts = new ArrayList<String>();
      counts.forEach((k, v) -> parts.add(k + " " + v));
      return String.join(", ", parts);
    }
  }

  private DataInspector() {}

  /**
   * Inspects {@code data} with {@link SiteData#DEFAULT_MAX_PIXELS}.
   *
   * @see #inspect(Path, JobSpec, Progress, long)
   */
  public static Report inspect(Path data, JobSpec job, Progress progress) {
    return inspect(data, job, progress, SiteData.DEFAULT_MAX_PIXELS);
  }

  /**
   * Inspects {@code data}.
   *
   * @param data a data folder, or a manifest .csv file
   * @param job the job to check against, or null
   * @param progress told after each file; may be null
   * @param maxPixels larger images are unreadable, as the site agent would skip them with the same limit
   * @throws DataException if {@code data} does not exist or its manifest cannot be read
   */
  public static Report inspect(Path data, JobSpec job, Progress progress, long maxPixels) {
    Path path = data.toAbsolutePath().normalize();
    var problems = new ArrayList<String>();
    List<DicomSource.LabeledFile> files = DicomSource.listFiles(path, problems, true);
    String frames = job == null ? DicomReader.MIDDLE : job.frames();
    var reader = new DicomReader(maxPixels);
    var perLabel = new TreeMap<String, Integer>();
    var modalities = new TreeMap<String, Integer>();
    var sizes = new TreeMap<String, Integer>();
    var unreadable = new ArrayList<>(problems);
    var byReason = new LinkedHashMap<String, List<String>>();
    problems.forEach(p -> byReason.put(p, new ArrayList<>()));
    var byDigest = new LinkedHashMap<String, List<String>>();
    Set<String> patients = new HashSet<>();
    int anonymous = 0;
    int rgb = 0;
    int gray = 0;
    for (int i = 0; i < files.size(); i++) {
      DicomSource.LabeledFile f = files.get(i);
      String name = path.relativize(f.file()).toString();
      Facts facts;
      try {
        if (f.refusal() != null) {
          throw new UnreadableException(f.refusal());
        }
        facts = isPlainImage(f.file()) ? plainImage(f.file(), maxPixels) : dicom(reader.read(f.file(), frames));
      } catch (UnreadableException e) {
        String line = f.refusal() != null ? f.refusal() : name + ": " + e.getMessage();
        unreadable.add(line);
        if (line.startsWith(name + ": ")) {
          byReason.computeIfAbsent(line.substring(name.length() + 2), k -> new ArrayList<>()).add(name);
        } else {
          byReason.put(line, new ArrayList<>()); // a refusal worded without the file's name leading
        }
        facts = null;
      }
      if (facts != null) {
        perLabel.merge(f.label(), facts.images, Integer::sum);
        modalities.merge(facts.modality, facts.images, Integer::sum);
        sizes.merge(facts.size, facts.images, Integer::sum);
        byDigest.computeIfAbsent(facts.digest, k -> new ArrayList<>()).add(name);
        String patient = f.patientId() != null ? f.patientId()
            : facts.patient != null ? facts.patient : ImageFolderSource.patientId(f.file());
        if (patient == null) {
          anonymous++;
        } else {
          patients.add(patient);
        }
        rgb += facts.samples == 3 ? facts.images : 0;
        gray += facts.samples == 1 ? facts.images : 0;
      }
      if (progress != null) {
        progress.update(i + 1, files.size());
      }
    }
    List<List<String>> duplicates = byDigest.values().stream().filter(g -> g.size() > 1)
        .map(g -> g.stream().sorted().toList()).toList();
    var jobProblems = job == null ? List.<String>of() : fit(job, perLabel, sizes, rgb, gray);
    boolean usable = job == null ? !perLabel.isEmpty() : job.classes().stream().anyMatch(perLabel::containsKey);
    var grouped = new LinkedHashMap<String, List<String>>();
    byReason.entrySet().stream()
        .sorted((a, b) -> Integer.compare(b.getValue().size(), a.getValue().size()))
        .forEach(e -> grouped.put(e.getKey(), List.copyOf(e.getValue())));
    return new Report(files.size(), perLabel, patients.size() + anonymous, modalities, sizes, unreadable, grouped,
        duplicates, jobProblems, usable);
  }

  /** Where the found data does not match the job's classes, channels and input size. */
  private static List<String> fit(JobSpec job, Map<String, Integer> perLabel, Map<String, Integer> sizes, int rgb,
      int gray) {
    var problems = new ArrayList<String>();
    for (String c : job.classes()) {
      if (!perLabel.containsKey(c)) {
        problems.add("class '" + c + "' of the job has no readable image");
      }
    }
    perLabel.forEach((label, n) -> {
      if (!job.classes().contains(label)) {
        problems.add("label '" + label + "' is not a class of the job " + job.classes() + "; its " + n
            + " images would be ignored");
      }
    });
    int channels = job.model().channels();
    if (channels == 1 && rgb > 0) {
      problems.add(rgb + " RGB images would be converted to gray (the job's model takes 1 channel)");
    }
    if (channels == 3 && gray > 0) {
      problems.add(gray + " gray images would be repeated into 3 channels (the job's model takes RGB)");
    }
    String input = job.model().height() + "x" + job.model().width();
    int resized = 0;
    for (var e : sizes.entrySet()) {
      resized += e.getKey().startsWith(input + "x") ? 0 : e.getValue();
    }
    if (resized > 0) {
      problems.add(resized + " images are not " + input + " (rows x columns) and would be resized to the job's input");
    }
    return problems;
  }

  /** What one readable file contributes. */
  private record Facts(int images, String modality, String size, int samples, String patient, String digest) {}

  /** Why a file cannot be used. */
  private static final class UnreadableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableException(String reason) {
      super(reason);
    }
  }

  private static Facts dicom(DicomResult result) throws UnreadableException {
    if (result instanceof DicomSkip skip) {
      throw new UnreadableException(skip.reason());
    }
    DicomImage image = (DicomImage) result;
    MessageDigest sha = sha256();
    sha.update(ByteBuffer.allocate(12).putInt(image.rows()).putInt(image.columns()).putInt(image.samplesPerPixel())
        .array());
    for (double[] frame : image.frames()) {
      ByteBuffer b = ByteBuffer.allocate(frame.length * 8);
      b.asDoubleBuffer().put(frame);
      sha.update(b.array());
    }
    return new Facts(image.frames().size(), image.modality() == null ? "?" : image.modality(),
        image.rows() + "x" + image.columns() + "x" + image.samplesPerPixel(), image.samplesPerPixel(),
        image.patientId(), HexFormat.of().formatHex(sha.digest()));
  }

  private static Facts plainImage(Path file, long maxPixels) throws UnreadableException {
    BufferedImage image;
    try {
      image = ImagePixels.decode(file, maxPixels);
    } catch (ImagePixels.UnreadableImageException e) {
      throw new UnreadableException(e.getMessage());
    }
    Raster raster = image.getRaster();
    int samples = image.getColorModel().getNumColorComponents();
    MessageDigest sha = sha256();
    sha.update(ByteBuffer.allocate(12).putInt(image.getHeight()).putInt(image.getWidth()).putInt(samples).array());
    int[] row = new int[image.getWidth() * raster.getNumBands()];
    ByteBuffer b = ByteBuffer.allocate(row.length * 4);
    for (int y = 0; y < image.getHeight(); y++) {
      raster.getPixels(0, y, image.getWidth(), 1, row);
      b.clear();
      b.asIntBuffer().put(row);
      sha.update(b.array());
    }
    String type = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png") ? "PNG" : "JPEG";
    return new Facts(1, type, image.getHeight() + "x" + image.getWidth() + "x" + samples, samples, null,
        HexFormat.of().formatHex(sha.digest()));
  }

  private static boolean isPlainImage(Path file) {
    return DicomSource.isPlainImage(file.getFileName().toString().toLowerCase(Locale.ROOT));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
