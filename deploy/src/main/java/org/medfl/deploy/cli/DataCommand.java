package org.medfl.deploy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medfl.client.data.DataException;
import org.medfl.client.data.DataInspector;
import org.medfl.client.data.DemoData;
import org.medfl.client.data.DicomPhantoms;
import org.medfl.client.data.SiteData;
import org.medfl.common.job.JobSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl data: local data at a site. */
@Command(mixinStandardHelpOptions = true, name = "data", description = "Local data at a site.",
    subcommands = {DataCommand.Demo.class, DataCommand.Inspect.class})
final class DataCommand {
  private DataCommand() {}

  /** fl data demo. */
  @Command(name = "demo", description = {
      "Write synthetic demo images (circle, square, triangle, cross) in the layout a site agent reads, to try a",
      "site without patient data. With --dicom, synthetic CT phantoms (normal, nodule) as DICOM files instead.",
      "Deterministic from --seed; --site-index changes the class balance (and, for phantoms, noise and offset)."})
  static final class Demo implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to create (must not exist).")
    Path out;

    @Option(names = "--images", defaultValue = "600", paramLabel = "N", description = "Images (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--size", paramLabel = "PX", description = "Width and height (default: 28, 64 with --dicom).")
    Integer size;

    @Option(names = "--dicom", description = "Write synthetic CT phantoms as DICOM (HU, classes normal and nodule).")
    boolean dicom;

    @Option(names = "--site-index", defaultValue = "0", paramLabel = "N", description = "Which class balance (default: ${DEFAULT-VALUE}).")
    int siteIndex;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
      if (Files.exists(out)) {
        throw new CliException(ExitCodes.USAGE, "--out " + out + " already exists; choose a new folder");
      }
      if (siteIndex < 0) {
        throw new CliException(ExitCodes.USAGE, "--site-index must be 0 or more, got " + siteIndex);
      }
      if (dicom) {
        int px = size == null ? 64 : size;
        if (images < 1 || px < 16 || px > 1024) {
          throw new CliException(ExitCodes.USAGE, "--images must be at least 1 and --size between 16 and 1024 with "
              + "--dicom");
        }
        DicomPhantoms.generate(out, siteIndex, images, px, seed);
        spec.commandLine().getOut().printf("%d synthetic CT phantom DICOM files (%dx%d, not patient data) in %s: "
            + "%s%n", images, px, px, out, String.join(", ", DicomPhantoms.classes()));
        return ExitCodes.OK;
      }
      int px = size == null ? 28 : size;
      if (images < 1 || px < 8 || px > 512) {
        throw new CliException(ExitCodes.USAGE, "--images must be at least 1 and --size between 8 and 512");
      }
      DemoData.generate(out, siteIndex, images, px, seed);
      spec.commandLine().getOut().printf("%d demo images (%dx%d) in %s: %s%n", images, px, px, out,
          String.join(", ", DemoData.classes()));
      return ExitCodes.OK;
    }
  }

  /** fl data inspect. */
  @Command(name = "inspect", description = {
      "Check a site's data folder before it joins a job: images per label, patients, modalities, sizes,",
      "unreadable files with reasons, exact duplicates, and with --job whether the data fits the job.",
      "Reads DATA/<label>/**/*.dcm|png|jpg or a DATA/manifest.csv of path,label[,patient_id].",
      "Never opens links that lead out of DIR, FIFOs, devices or folders named like images; lists them as unreadable.",
      "Exit 0: usable; 1: nothing usable; 2: bad usage."})
  static final class Inspect implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "The data folder, or a manifest .csv file.")
    Path dir;

    @Option(names = "--job", paramLabel = "JOB.yaml", description = "Check the data against this job's classes, "
        + "channels and input size.")
    Path jobFile;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + SiteData.DEFAULT_MAX_PIXELS,
        description = "Count images larger than N pixels as unreadable, as 'fl site start --max-pixels N' would skip "
            + "them (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--list-unreadable", description = "Name every unreadable file on its own line; by default they "
        + "are grouped by reason, with the first " + DataInspector.Report.EXAMPLES + " files of each.")
    boolean listUnreadable;

    @Override
    public Integer call() {
      if (!Files.exists(dir)) {
        throw new CliException(ExitCodes.USAGE, dir + " does not exist; give the site's data folder");
      }
      if (maxPixels < 1) {
        throw new CliException(ExitCodes.USAGE, "--max-pixels must be at least 1, got " + maxPixels);
      }
      JobSpec job = jobFile == null ? null : readJob(jobFile);
      var bar = new ProgressBar(spec.commandLine().getErr(), System::nanoTime);
      DataInspector.Report report;
      try {
        report = DataInspector.inspect(dir, job, bar, maxPixels);
      } catch (DataException e) {
        throw new CliException(ExitCodes.USAGE, e.getMessage());
      }
      bar.finish();
      spec.commandLine().getOut().print(report.toText(listUnreadable));
      spec.commandLine().getOut().flush();
      return report.usable() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static JobSpec readJob(Path file) {
      try {
        return JobSpec.parse(Files.readString(file, StandardCharsets.UTF_8));
      } catch (NoSuchFileException e) {
        throw new CliException(ExitCodes.USAGE, "--job " + file + " does not exist");
      } catch (IOException e) {
        throw new CliException(ExitCodes.USAGE, "cannot read --job " + file + ": " + e.getMessage());
      }
    }
  }
}
