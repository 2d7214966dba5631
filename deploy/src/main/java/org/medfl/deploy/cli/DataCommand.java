package org.medfl.deploy.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medfl.client.data.DemoData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl data: local data at a site. */
@Command(name = "data", description = "Local data at a site.", subcommands = DataCommand.Demo.class)
final class DataCommand {
  private DataCommand() {}

  /** fl data demo. */
  @Command(name = "demo", description = {
      "Write synthetic demo images (circle, square, triangle, cross) in the layout a site agent reads, to try a",
      "site without patient data. Deterministic from --seed; --site-index changes the class balance."})
  static final class Demo implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to create (must not exist).")
    Path out;

    @Option(names = "--images", defaultValue = "600", paramLabel = "N", description = "Images (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--size", defaultValue = "28", paramLabel = "PX", description = "Width and height (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--site-index", defaultValue = "0", paramLabel = "N", description = "Which class balance (default: ${DEFAULT-VALUE}).")
    int siteIndex;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
      if (Files.exists(out)) {
        throw new CliException(ExitCodes.USAGE, "--out " + out + " already exists; choose a new folder");
      }
      if (images < 1 || size < 8 || size > 512) {
        throw new CliException(ExitCodes.USAGE, "--images must be at least 1 and --size between 8 and 512");
      }
      DemoData.generate(out, siteIndex, images, size, seed);
      spec.commandLine().getOut().printf("%d demo images (%dx%d) in %s: %s%n", images, size, size, out,
          String.join(", ", DemoData.classes()));
      return ExitCodes.OK;
    }
  }
}
